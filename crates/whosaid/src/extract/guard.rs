//! A linear pre-scan that bounds what the HTML parser has to build.
//!
//! html5ever's tree builder walks the stack of open elements for many tokens
//! (scope checks, implied end tags), so a page nested 100,000 deep costs it
//! quadratic time: tens of seconds for a 1 MB page. This module scans the
//! page once, follows element nesting roughly as the tree builder would, and
//! rewrites the page only when a limit of [`Limits`] is crossed:
//!
//! - start and end tags nested deeper than `max_dom_depth` are dropped (each
//!   becomes one space), so their text is flattened into the ancestor at the
//!   limit;
//! - the page is cut before the start tag that would exceed `max_dom_nodes`
//!   (elements the tree builder re-opens count too);
//! - formatting start tags (`b`, `font`...) beyond [`MAX_ACTIVE_FORMATTING`]
//!   left open at once are dropped: the tree builder re-opens every one of
//!   them in each later paragraph, so 500 unclosed `<b id=N>` tags turned a
//!   400 KB page into 3 GB of tree and 21 s;
//! - attributes beyond [`MAX_ATTRIBUTES`] on one tag are dropped: the
//!   tokenizer's duplicate check is quadratic in them.
//!
//! [`guard_for_extraction`] also empties the bodies of `<script>` (except
//! JSON-LD, which the metadata stage reads) and `<style>` elements: no stage
//! reads them, and on news pages they are often half the bytes, which the
//! parser would otherwise tokenise character by character. For the same
//! reason it empties `<svg>` images (when nothing inside leaves SVG) and
//! `<nav>` menus closed by their own end tag (leaving the count of their
//! elements in [`NAV_ELEMENTS_ATTRIBUTE`], which the metadata stage's
//! distances count), shortens whitespace between tags to one character
//! outside `<pre>`, and drops attributes that no stage reads (`data-*`,
//! `srcset`, `src`...) and values that none would act on (a `style` that
//! cannot hide, an anchor's `href` that is neither in-page nor an author
//! page). It also empties comments (they stay, as nodes) and drops the
//! head's `<link>` tags other than the canonical one and microdata.
//!
//! With [`guard`], every other page comes back borrowed, untouched (all 711 WCXB dev pages
//! do, even at a quarter of the default depth limit). The model of the tree
//! builder is approximate on purpose: it knows void, raw-text and foreign
//! (SVG, MathML) elements, comments and CDATA, the common implied end tags
//! (`p`, `li`, `dd`/`dt`, table cells and rows, `option`, headings, nested
//! `a`), implied `tbody`/`tr`, scope boundaries, and the list of active
//! formatting elements (markers, the Noah's Ark rule, reconstruction, and
//! misnested end tags that leave blocks open). Ordinary pages are far below
//! the limits, so an error of a few levels never matters; what matters is
//! that no pattern of tags can nest deep in the parser while looking shallow
//! here (a random tag-soup test checks this against html5ever), and that
//! the scan itself stays linear.

use std::borrow::Cow;

use memchr::{memchr, memmem};

use crate::hashing::PrehashedMap;
use crate::pipeline::Limits;

/// The page as the parser should see it, and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded<'a> {
    /// Borrowed (zero-copy) unless a limit was crossed.
    pub html: Cow<'a, str>,
    pub warnings: Vec<String>,
}

/// Scans `html` and, when it crosses a limit, rewrites it so that it does not.
pub fn guard<'a>(html: &'a str, limits: &Limits) -> Guarded<'a> {
    guard_with(html, limits, false)
}

/// Like [`guard`], and also empties script (other than JSON-LD), style and
/// SVG bodies and drops the attributes that nothing after the parser reads.
pub fn guard_for_extraction<'a>(html: &'a str, limits: &Limits) -> Guarded<'a> {
    guard_with(html, limits, true)
}

fn guard_with<'a>(html: &'a str, limits: &Limits, strip_code: bool) -> Guarded<'a> {
    let mut scan = Scan::new(html, limits);
    scan.strip_code = strip_code;
    scan.run();
    let mut warnings = Vec::new();
    if scan.flattened {
        warnings.push(format!(
            "HTML nested deeper than {} elements; deeper tags flattened",
            limits.max_dom_depth
        ));
    }
    if scan.formatting_capped {
        warnings.push(format!(
            "HTML leaves more than {MAX_ACTIVE_FORMATTING} formatting elements open; later ones dropped"
        ));
    }
    if scan.attributes_capped {
        warnings.push(format!(
            "HTML tag with more than {MAX_ATTRIBUTES} attributes; the rest dropped"
        ));
    }
    if scan.cut {
        warnings.push(format!(
            "HTML has more than {} elements; the rest of the page was dropped",
            limits.max_dom_nodes
        ));
    }
    let html = match scan.out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            if !scan.cut {
                out.push_str(&html[scan.copied..]);
            }
            Cow::Owned(out)
        }
    };
    Guarded { html, warnings }
}

/// Tags that the model treats specially; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Other,
    P,
    Li,
    Dd,
    Dt,
    Td,
    Th,
    Tr,
    TableSection,
    Table,
    Caption,
    Option,
    Optgroup,
    A,
    Nobr,
    Button,
    Heading,
    Form,
    Html,
    Head,
    Body,
    Svg,
    Math,
    List,
    Template,
    ScopeMarker,
    Br,
}

const KINDS: usize = Kind::Br as usize + 1;

/// Boundaries of the tree builder's "has an element in scope" checks.
const DEFAULT_SCOPE: &[Kind] = &[
    Kind::Html,
    Kind::Table,
    Kind::Td,
    Kind::Th,
    Kind::Caption,
    Kind::Template,
    Kind::ScopeMarker,
];
const LIST_SCOPE: &[Kind] = &[
    Kind::Html,
    Kind::Table,
    Kind::Td,
    Kind::Th,
    Kind::Caption,
    Kind::Template,
    Kind::ScopeMarker,
    Kind::List,
];
const BUTTON_SCOPE: &[Kind] = &[
    Kind::Html,
    Kind::Table,
    Kind::Td,
    Kind::Th,
    Kind::Caption,
    Kind::Template,
    Kind::ScopeMarker,
    Kind::Button,
];
const TABLE_SCOPE: &[Kind] = &[Kind::Html, Kind::Table, Kind::Template];

/// What the model needs to know about a tag name.
#[derive(Debug, Clone, Copy)]
struct TagInfo {
    kind: Kind,
    /// Never has content or an end tag (`br`, `img`).
    void: bool,
    /// Content is text up to the matching end tag (`script`, `textarea`).
    raw_text: bool,
    /// Rest of the document is text.
    plaintext: bool,
    /// A start tag that closes an open `p` in button scope.
    closes_p: bool,
    /// A start tag that ends foreign (SVG, MathML) content.
    breaks_foreign: bool,
    /// A formatting element (`b`, `font`, `a`...): kept in the tree
    /// builder's list of active formatting elements and re-opened
    /// ("reconstructed") wherever content follows its implicit closing.
    formatting: bool,
    /// A start tag before which the tree builder reconstructs the active
    /// formatting elements.
    reconstructs: bool,
    /// In the tree builder's "special" category: a block that a misnested
    /// formatting end tag does not close (`<b><div>x</b>` leaves the div
    /// open).
    special: bool,
}

fn classify(lower: &[u8]) -> TagInfo {
    let mut info = TagInfo {
        kind: Kind::Other,
        void: false,
        raw_text: false,
        plaintext: false,
        closes_p: false,
        breaks_foreign: false,
        formatting: false,
        reconstructs: false,
        special: false,
    };
    info.kind = match lower {
        b"p" => Kind::P,
        b"li" => Kind::Li,
        b"dd" => Kind::Dd,
        b"dt" => Kind::Dt,
        b"td" => Kind::Td,
        b"th" => Kind::Th,
        b"tr" => Kind::Tr,
        b"tbody" | b"thead" | b"tfoot" => Kind::TableSection,
        b"table" => Kind::Table,
        b"caption" => Kind::Caption,
        b"option" => Kind::Option,
        b"optgroup" => Kind::Optgroup,
        b"a" => Kind::A,
        b"nobr" => Kind::Nobr,
        b"button" => Kind::Button,
        b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => Kind::Heading,
        b"form" => Kind::Form,
        b"html" => Kind::Html,
        b"head" => Kind::Head,
        b"body" => Kind::Body,
        b"svg" => Kind::Svg,
        b"math" => Kind::Math,
        b"ul" | b"ol" | b"menu" => Kind::List,
        b"template" => Kind::Template,
        b"applet" | b"marquee" | b"object" => Kind::ScopeMarker,
        b"br" => Kind::Br,
        _ => Kind::Other,
    };
    info.void = matches!(
        lower,
        b"area"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"br"
            | b"col"
            | b"embed"
            | b"frame"
            | b"hr"
            | b"img"
            | b"image"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
    );
    // Not noscript: dom_query parses with scripting disabled, so its
    // content is markup like any other.
    info.raw_text = matches!(
        lower,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
    );
    info.plaintext = lower == b"plaintext";
    info.closes_p = matches!(
        lower,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"li"
            | b"dd"
            | b"dt"
            | b"listing"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"plaintext"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
            | b"table"
            | b"ul"
            | b"xmp"
    );
    info.formatting = matches!(
        lower,
        b"a" | b"b"
            | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    );
    info.reconstructs = !info.closes_p
        && !info.raw_text
        && !matches!(
            lower,
            b"base"
                | b"basefont"
                | b"bgsound"
                | b"link"
                | b"meta"
                | b"template"
                | b"html"
                | b"head"
                | b"body"
                | b"caption"
                | b"col"
                | b"colgroup"
                | b"frame"
                | b"frameset"
                | b"tbody"
                | b"td"
                | b"tfoot"
                | b"th"
                | b"thead"
                | b"tr"
        );
    info.special = info.closes_p
        || lower == b"select"
        || matches!(
            info.kind,
            Kind::Li
                | Kind::Dd
                | Kind::Dt
                | Kind::Td
                | Kind::Th
                | Kind::Tr
                | Kind::TableSection
                | Kind::Table
                | Kind::Caption
                | Kind::Button
                | Kind::Html
                | Kind::Head
                | Kind::Body
                | Kind::ScopeMarker
                | Kind::Template
                | Kind::List
        );
    info.breaks_foreign = matches!(
        lower,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    );
    info
}

/// Tag names are compared by a 64-bit hash of their lower-cased bytes, so
/// the maps keyed by that hash need no second hash.
type NameMap<V> = PrehashedMap<V>;

/// Longest tag name classified by name; longer ones are all `Other`.
const MAX_KNOWN_NAME: usize = 16;

/// A tag name read from the page: its hash and classification.
struct TagName {
    hash: u64,
    info: TagInfo,
    /// Byte length in the page, for matching raw-text end tags.
    len: usize,
}

fn read_name(bytes: &[u8], start: usize) -> TagName {
    read_name_with(bytes, start, None)
}

/// Entries of a [`NameCache`]: a power of two.
const NAME_CACHE_SLOTS: usize = 64;

/// The classification of tag names seen already, by hash. A page uses a
/// few dozen names thousands of times, and classifying one afresh takes
/// a few hundred comparisons.
type NameCache = [Option<(u64, [u8; MAX_KNOWN_NAME], TagInfo)>; NAME_CACHE_SLOTS];

/// [`read_name`], classifying through `cache` when one is given.
fn read_name_with(bytes: &[u8], start: usize, cache: Option<&mut NameCache>) -> TagName {
    // FNV-1a over the lower-cased name.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut lower = [0u8; MAX_KNOWN_NAME];
    let mut len = 0;
    while let Some(&c) = bytes.get(start + len) {
        if is_space(c) || c == b'/' || c == b'>' {
            break;
        }
        let c = c.to_ascii_lowercase();
        if len < MAX_KNOWN_NAME {
            lower[len] = c;
        }
        hash = (hash ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
        len += 1;
    }
    if len > MAX_KNOWN_NAME {
        return TagName {
            hash,
            info: classify(b""),
            len,
        };
    }
    let info = match cache {
        None => classify(&lower[..len]),
        Some(cache) => {
            // The name itself is compared, not only its hash: the zeros
            // after a short name in `lower` tell it from a longer one.
            let slot = &mut cache[hash as usize % NAME_CACHE_SLOTS];
            match slot {
                Some((h, name, info)) if *h == hash && *name == lower => *info,
                _ => {
                    let info = classify(&lower[..len]);
                    *slot = Some((hash, lower, info));
                    info
                }
            }
        }
    };
    TagName { hash, info, len }
}

/// [`read_name`]'s hash of a lower-case tag name, at compile time.
const fn name_hash(name: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut at = 0;
    while at < name.len() {
        hash = (hash ^ name[at] as u64).wrapping_mul(0x0100_0000_01b3);
        at += 1;
    }
    hash
}

const HEAD: u64 = name_hash(b"head");
const LINK: u64 = name_hash(b"link");
const ANCHOR: u64 = name_hash(b"a");

/// Start tags that the tree builder keeps in the head; any other ends it.
const HEAD_CONTENT: [u64; 13] = [
    name_hash(b"html"),
    HEAD,
    LINK,
    name_hash(b"meta"),
    name_hash(b"title"),
    name_hash(b"script"),
    name_hash(b"style"),
    name_hash(b"base"),
    name_hash(b"noscript"),
    name_hash(b"template"),
    name_hash(b"basefont"),
    name_hash(b"bgsound"),
    name_hash(b"noframes"),
];

/// Where the scan stands relative to the page's `<head>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    Before,
    In,
    After,
}

/// The value of an attribute as written (quotes taken off, character
/// references left as they are).
fn attribute_value<'b>(bytes: &'b [u8], span: &AttrSpan) -> &'b [u8] {
    let Some(equals) = memchr(b'=', &bytes[span.name_end..span.end]) else {
        return &[];
    };
    let mut at = span.name_end + equals + 1;
    while at < span.end && is_space(bytes[at]) {
        at += 1;
    }
    let value = &bytes[at..span.end];
    match value {
        [quote @ (b'"' | b'\''), rest @ ..] => rest.strip_suffix(&[*quote]).unwrap_or(rest),
        _ => value,
    }
}

/// Elements that put a marker on the list of active formatting elements.
fn is_marker(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Td | Kind::Th | Kind::Caption | Kind::ScopeMarker | Kind::Template
    )
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Attributes kept on one tag. The tokenizer compares each attribute name
/// with all earlier ones (duplicates are dropped), so a tag with 100,000
/// attributes costs it seconds; real tags have a few dozen at most.
pub const MAX_ATTRIBUTES: usize = 128;

/// The end of a tag, found by [`tag_end`].
struct TagEnd {
    /// Index after the `>`.
    end: usize,
    /// The tag ends in `/>`.
    self_closing: bool,
    /// Where the attribute after the first [`MAX_ATTRIBUTES`] starts.
    overflow: Option<usize>,
}

/// From just after a tag name, finds the end of the tag as the HTML tokenizer
/// does (quoted attribute values may hold `>`), or `None` when the page ends
/// first.
fn tag_end(bytes: &[u8], at: usize) -> Option<TagEnd> {
    tag_end_with(bytes, at, |_| {})
}

/// Where one attribute of a start tag lies in the page, for dropping it.
#[derive(Debug, Clone, Copy)]
struct AttrSpan {
    /// Start of what separates it from what came before (usually spaces).
    gap: usize,
    name: usize,
    name_end: usize,
    /// Index after its value (after the name when it has none).
    end: usize,
}

/// [`tag_end`], telling `on_attribute` where each attribute lies.
fn tag_end_with(
    bytes: &[u8],
    mut at: usize,
    mut on_attribute: impl FnMut(AttrSpan),
) -> Option<TagEnd> {
    let skip_space = |at: &mut usize| {
        while bytes.get(*at).is_some_and(|&c| is_space(c)) {
            *at += 1;
        }
    };
    let mut attributes = 0;
    let mut overflow = None;
    loop {
        let gap = at;
        skip_space(&mut at);
        match *bytes.get(at)? {
            b'>' => {
                return Some(TagEnd {
                    end: at + 1,
                    self_closing: false,
                    overflow,
                });
            }
            b'/' => {
                at += 1;
                if bytes.get(at) == Some(&b'>') {
                    return Some(TagEnd {
                        end: at + 1,
                        self_closing: true,
                        overflow,
                    });
                }
                continue;
            }
            _ => {}
        }
        attributes += 1;
        if attributes > MAX_ATTRIBUTES && overflow.is_none() {
            overflow = Some(at);
        }
        // An attribute name; its first character may be anything, even '='.
        let name = at;
        at += 1;
        while let Some(&c) = bytes.get(at) {
            if is_space(c) || matches!(c, b'/' | b'>' | b'=') {
                break;
            }
            at += 1;
        }
        let name_end = at;
        skip_space(&mut at);
        if bytes.get(at) != Some(&b'=') {
            on_attribute(AttrSpan {
                gap,
                name,
                name_end,
                end: name_end,
            });
            continue;
        }
        at += 1;
        skip_space(&mut at);
        match *bytes.get(at)? {
            quote @ (b'"' | b'\'') => {
                at += 1 + memchr(quote, &bytes[at + 1..])? + 1;
            }
            b'>' => {
                on_attribute(AttrSpan {
                    gap,
                    name,
                    name_end,
                    end: at,
                });
                return Some(TagEnd {
                    end: at + 1,
                    self_closing: false,
                    overflow,
                });
            }
            _ => {
                while let Some(&c) = bytes.get(at) {
                    if is_space(c) || c == b'>' {
                        break;
                    }
                    at += 1;
                }
            }
        }
        on_attribute(AttrSpan {
            gap,
            name,
            name_end,
            end: at,
        });
    }
}

/// Set by [`guard_for_extraction`] on a `nav` whose content it dropped:
/// how many elements were in it. (Pages' own `data-` attributes are
/// dropped before parsing, so none can pose as this one.)
pub const NAV_ELEMENTS_ATTRIBUTE: &str = "data-whosaid-elements";

/// Attributes that some stage reads (or that change how html5ever builds
/// the tree: `type` on inputs in tables, `color`/`face`/`size` on a `font`
/// in SVG, `encoding` on MathML's `annotation-xml`). The extraction guard
/// drops all others: on news pages `data-*`, `srcset`, `src`, `d` and
/// their kin are a fifth of the bytes, and the tokenizer copies every one
/// into an attribute of its own, character by character.
fn is_read_attribute(name: &[u8]) -> bool {
    const LONGEST: usize = 11;
    if name.len() > LONGEST {
        return false;
    }
    let mut lower = [0u8; LONGEST];
    for (l, c) in lower.iter_mut().zip(name) {
        *l = c.to_ascii_lowercase();
    }
    matches!(
        &lower[..name.len()],
        b"class"
            | b"id"
            | b"href"
            | b"style"
            | b"hidden"
            | b"aria-hidden"
            | b"role"
            | b"itemprop"
            | b"itemtype"
            | b"rel"
            | b"content"
            | b"name"
            | b"property"
            | b"http-equiv"
            | b"charset"
            | b"type"
            | b"lang"
            | b"xml:lang"
            | b"datetime"
            | b"pubdate"
            | b"title"
            | b"color"
            | b"face"
            | b"size"
            | b"encoding"
    )
}

/// A `style` attribute that cannot hide its element, the one thing the
/// content stage reads in styles. Values with character references are
/// kept: the parser decodes them.
fn is_inert_style(value: &[u8]) -> bool {
    !value.contains(&b'&')
        && std::str::from_utf8(value).is_ok_and(|v| !super::content_dom::style_hides(v))
}

/// A link's `href` that no stage reads: the content stage asks only
/// whether it stays on the page (`#...`), the metadata stage whether it
/// leads to an author's page. Values with character references are kept.
fn is_inert_href(value: &[u8]) -> bool {
    !value.starts_with(b"#")
        && !value.contains(&b'&')
        && std::str::from_utf8(value).is_ok_and(|v| !super::metadata::is_author_page(v))
}

/// Where the content of an `svg` element whose start tag ends at `from`
/// ends (the `<` of its end tag), when the parser would stay in SVG up to
/// there: no tag inside breaks out into HTML, and every end tag closes an
/// element opened inside. `None` otherwise, and the content is left alone.
fn svg_content_end(bytes: &[u8], from: usize) -> Option<usize> {
    let svg = read_name(b"svg", 0).hash;
    let font = read_name(b"font", 0).hash;
    // Names of the elements open inside, the svg itself first.
    let mut open: Vec<u64> = vec![svg];
    let mut at = from;
    while let Some(offset) = memchr(b'<', &bytes[at..]) {
        let lt = at + offset;
        at = match *bytes.get(lt + 1)? {
            b'!' => {
                let body = lt + 4;
                if bytes[lt + 2..].starts_with(b"--") {
                    if bytes[body..].starts_with(b">") {
                        body + 1
                    } else if bytes[body..].starts_with(b"->") {
                        body + 2
                    } else {
                        body + memmem::find(&bytes[body..], b"-->")? + 3
                    }
                } else if bytes[lt + 2..].starts_with(b"[CDATA[") {
                    lt + 9 + memmem::find(&bytes[lt + 9..], b"]]>")? + 3
                } else {
                    lt + 2 + memchr(b'>', &bytes[lt + 2..])? + 1
                }
            }
            b'/' if bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let name = read_name(bytes, lt + 2);
                let tag = tag_end(bytes, lt + 2 + name.len)?;
                // The parser closes the innermost open element of that name
                // and all inside it; any other end tag reaches the HTML
                // around the svg.
                let index = open.iter().rposition(|&h| h == name.hash)?;
                if index == 0 {
                    return Some(lt);
                }
                open.truncate(index);
                tag.end
            }
            c if c.is_ascii_alphabetic() => {
                let name = read_name(bytes, lt + 1);
                // `font` breaks out only with some attributes; never mind.
                if name.info.breaks_foreign || name.hash == font {
                    return None;
                }
                let tag = tag_end(bytes, lt + 1 + name.len)?;
                if !tag.self_closing {
                    open.push(name.hash);
                }
                tag.end
            }
            _ => lt + 1,
        };
    }
    None
}

/// Finds `</name` (any case) followed by a space, `/`, `>` or the end: the
/// end of a raw-text element. Returns the index of its `<`.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = memmem::find(&bytes[at..], b"</") {
        let lt = at + offset;
        let name_end = lt + 2 + name.len();
        if bytes
            .get(lt + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && bytes
                .get(name_end)
                .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return Some(lt);
        }
        at = lt + 2;
    }
    None
}

#[derive(Debug, Clone, Copy)]
struct Open {
    hash: u64,
    kind: Kind,
    /// Inside SVG or MathML (the element itself or an ancestor).
    foreign: bool,
    /// Present in the page the parser gets; false for elements whose tags
    /// are dropped.
    kept: bool,
    /// The element's entry in the list of active formatting elements.
    active: Option<u32>,
    special: bool,
}

/// An entry of the tree builder's list of active formatting elements.
#[derive(Debug, Clone, Copy)]
enum Active {
    /// Set when a table cell, caption, object, marquee, applet or template
    /// opens; formatting never carries across it.
    Marker,
    Element {
        id: u32,
        /// Name and attributes: the tree builder keeps at most three equal
        /// entries after the last marker.
        key: u64,
        hash: u64,
        kind: Kind,
        /// On the stack of open elements; false once closed implicitly, and
        /// then re-opened by the next reconstruction.
        open: bool,
    },
}

/// Formatting elements the model lets stay active at once (after the last
/// marker); further formatting start tags are dropped. Each reconstruction
/// re-opens up to this many elements, so this bounds how far a page of
/// unclosed `<b id=N>` tags can multiply its elements. Real pages keep a few.
pub const MAX_ACTIVE_FORMATTING: usize = 32;

struct Scan<'a, 'l> {
    html: &'a str,
    limits: &'l Limits,
    /// The model's stack of open elements, including those beyond the depth
    /// limit whose tags are being dropped.
    stack: Vec<Open>,
    /// For each tag name, the stack indices where it is open, innermost last.
    by_name: NameMap<Vec<u32>>,
    /// For each kind, the stack indices where it is open, innermost last.
    by_kind: [Vec<u32>; KINDS],
    start_tags: usize,
    out: Option<String>,
    /// Bytes of `html` before this index are already in `out`.
    copied: usize,
    flattened: bool,
    cut: bool,
    active: Vec<Active>,
    next_active_id: u32,
    formatting_capped: bool,
    attributes_capped: bool,
    /// Empty the bodies of scripts (not JSON-LD), styles and SVG images,
    /// and drop the attributes that no stage reads.
    strip_code: bool,
    /// The attributes of the start tag being read, when `strip_code`.
    attributes: Vec<AttrSpan>,
    /// The start tag just read opened an svg element in HTML content.
    svg_opened: bool,
    /// Name hashes of `pre` and `listing`, whose whitespace is kept.
    pre: u64,
    listing: u64,
    nav: u64,
    /// The start tag just read opened a `nav` element in HTML content.
    nav_opened: bool,
    /// Whether `<link>` tags seen now are in the page's head.
    head: Head,
    names: NameCache,
    /// Open `nav` elements whose content goes if their end tag closes
    /// them: stack index, the length of `out` after the start tag, and
    /// the start tags seen before it.
    navs: Vec<(u32, usize, usize)>,
}

/// Whether a raw-text element's body is code that no stage reads: a style,
/// or a script that is not JSON-LD data.
fn is_unread_code(name: &[u8], start_tag: &[u8]) -> bool {
    if name.eq_ignore_ascii_case(b"style") {
        return true;
    }
    name.eq_ignore_ascii_case(b"script")
        && !start_tag
            .windows(7)
            .any(|w| w.eq_ignore_ascii_case(b"ld+json"))
}

impl<'a, 'l> Scan<'a, 'l> {
    fn new(html: &'a str, limits: &'l Limits) -> Self {
        Scan {
            html,
            limits,
            stack: Vec::new(),
            by_name: NameMap::default(),
            by_kind: std::array::from_fn(|_| Vec::new()),
            start_tags: 0,
            out: None,
            copied: 0,
            flattened: false,
            cut: false,
            active: Vec::new(),
            next_active_id: 0,
            formatting_capped: false,
            attributes_capped: false,
            strip_code: false,
            attributes: Vec::new(),
            svg_opened: false,
            pre: read_name(b"pre", 0).hash,
            listing: read_name(b"listing", 0).hash,
            nav: read_name(b"nav", 0).hash,
            nav_opened: false,
            head: Head::Before,
            names: [None; NAME_CACHE_SLOTS],
            navs: Vec::new(),
        }
    }

    fn run(&mut self) {
        let bytes = self.html.as_bytes();
        let mut at = 0;
        while let Some(offset) = memchr(b'<', &bytes[at..]) {
            let lt = at + offset;
            if lt > at {
                if self.head == Head::In && !bytes[at..lt].iter().all(|&c| is_space(c)) {
                    self.head = Head::After;
                }
                if self.strip_code && lt - at > 1 && self.copied <= at {
                    self.shorten_blank(bytes, at, lt);
                }
                if !self.reconstruct(at) {
                    return;
                }
            }
            let next = match self.markup(bytes, lt) {
                Some(next) => next,
                None => return,
            };
            at = next;
        }
    }

    /// Handles the markup starting at `lt`; returns where to continue, or
    /// `None` when the scan is over (end of page, a cut, `plaintext`).
    fn markup(&mut self, bytes: &[u8], lt: usize) -> Option<usize> {
        match bytes.get(lt + 1)? {
            b'!' => {
                let rest = &bytes[lt + 2..];
                if rest.starts_with(b"--") {
                    let body = lt + 4;
                    if bytes[body..].starts_with(b">") {
                        return Some(body + 1);
                    }
                    if bytes[body..].starts_with(b"->") {
                        return Some(body + 2);
                    }
                    let close = body + memmem::find(&bytes[body..], b"-->")?;
                    self.empty_comment(bytes, body, close);
                    return Some(close + 3);
                }
                if rest.starts_with(b"[CDATA[") && self.in_foreign() {
                    let body = lt + 9;
                    return memmem::find(&bytes[body..], b"]]>").map(|e| body + e + 3);
                }
                memchr(b'>', rest).map(|e| lt + 2 + e + 1)
            }
            b'?' => memchr(b'>', &bytes[lt + 2..]).map(|e| lt + 2 + e + 1),
            b'/' => match bytes.get(lt + 2)? {
                c if c.is_ascii_alphabetic() => {
                    let name = read_name_with(bytes, lt + 2, Some(&mut self.names));
                    let tag = tag_end(bytes, lt + 2 + name.len)?;
                    if name.hash == HEAD {
                        self.head = Head::After;
                    }
                    self.end_tag(lt, tag.end, &name);
                    self.cap_attributes(&tag);
                    Some(tag.end)
                }
                // `</>` is ignored; `</` and anything else a bogus comment.
                b'>' => Some(lt + 3),
                _ => memchr(b'>', &bytes[lt + 2..]).map(|e| lt + 2 + e + 1),
            },
            c if c.is_ascii_alphabetic() => {
                let name = read_name_with(bytes, lt + 1, Some(&mut self.names));
                let attributes_start = lt + 1 + name.len;
                let tag = if self.strip_code {
                    let spans = &mut self.attributes;
                    spans.clear();
                    tag_end_with(bytes, attributes_start, |span| spans.push(span))?
                } else {
                    tag_end(bytes, attributes_start)?
                };
                self.head = match (self.head, name.hash) {
                    (Head::Before, HEAD) => Head::In,
                    (Head::In, hash) if HEAD_CONTENT.contains(&hash) => Head::In,
                    (Head::Before, hash) if HEAD_CONTENT.contains(&hash) => Head::Before,
                    _ => Head::After,
                };
                if self.strip_code
                    && self.head == Head::In
                    && name.hash == LINK
                    && self.copied <= lt
                    && !self.cut
                    && !self.is_read_link(bytes)
                {
                    // Stylesheets, preloads, icons, alternates: a tenth of
                    // the tags html5ever reads on news pages. Only the
                    // metadata stage looks at links in the head (the
                    // canonical one, and microdata); a void element in the
                    // head is nobody's sibling or ancestor in the body,
                    // whose element distances stay as they were.
                    self.replace(lt, tag.end, "");
                    return Some(tag.end);
                }
                let next = self.start_tag(bytes, lt, tag.end, tag.self_closing, &name)?;
                if self.strip_code {
                    self.drop_unread_attributes(bytes, attributes_start, &tag, name.hash == ANCHOR);
                }
                self.cap_attributes(&tag);
                if self.strip_code && self.svg_opened {
                    return Some(self.empty_svg(bytes, next));
                }
                if self.strip_code && self.nav_opened && self.copied <= next {
                    // Everything up to here is in `out`, so that the
                    // content can be taken back out at the end tag.
                    self.replace(next, next, "");
                    let out_len = self.out.as_ref().map_or(0, String::len);
                    self.navs
                        .push((self.stack.len() as u32 - 1, out_len, self.start_tags));
                }
                Some(next)
            }
            _ => Some(lt + 1),
        }
    }

    /// Empties the comment whose text runs from `body` to `close` (the
    /// `-->`). No stage reads a comment's text, and html5ever reads it a
    /// character at a time; the empty comment stays, so that the tree keeps
    /// the same nodes (a sibling walk counts it, texts on either side stay
    /// apart).
    fn empty_comment(&mut self, bytes: &[u8], body: usize, close: usize) {
        // `--!>` also ends a comment for the tokenizer; such a comment is
        // left whole rather than modelled.
        let text = &bytes[body..close];
        if !self.strip_code
            || self.cut
            || self.copied > body
            || text.is_empty()
            || memmem::find(text, b"--!>").is_some()
        {
            return;
        }
        self.replace(body, close, "");
    }

    /// Shortens whitespace between two tags to its first character, outside
    /// preformatted text. Indentation makes a text node of its own between
    /// every two tags, and reading it costs the parser and both stages for
    /// every byte; one space separates the words around it the same way.
    fn shorten_blank(&mut self, bytes: &[u8], from: usize, to: usize) {
        if !bytes[from..to].iter().all(|&c| is_space(c)) {
            return;
        }
        let preformatted = [self.pre, self.listing]
            .iter()
            .any(|hash| self.by_name.get(hash).is_some_and(|open| !open.is_empty()));
        if !preformatted {
            self.replace(from + 1, to, "");
        }
    }

    /// Whether the `<link>` tag just read (its attributes in
    /// `self.attributes`) is one the metadata stage reads: the canonical
    /// link, or one carrying microdata.
    fn is_read_link(&self, bytes: &[u8]) -> bool {
        self.attributes.iter().any(|span| {
            let name = &bytes[span.name..span.name_end];
            if name.eq_ignore_ascii_case(b"itemprop") {
                return true;
            }
            let value = attribute_value(bytes, span);
            name.eq_ignore_ascii_case(b"rel")
                && (value.contains(&b'&')
                    || value
                        .windows(b"canonical".len())
                        .any(|w| w.eq_ignore_ascii_case(b"canonical")))
        })
    }

    /// Drops the attributes of the start tag just read that no stage reads,
    /// unless the tag or its content was rewritten already.
    fn drop_unread_attributes(
        &mut self,
        bytes: &[u8],
        attributes_start: usize,
        tag: &TagEnd,
        anchor: bool,
    ) {
        if self.cut || self.copied > attributes_start {
            return;
        }
        let spans = std::mem::take(&mut self.attributes);
        // Attributes past the cap go with it in `cap_attributes`.
        let limit = tag.overflow.unwrap_or(tag.end);
        for span in spans.iter().take_while(|s| s.name < limit) {
            let name = &bytes[span.name..span.name_end];
            let inert_value = || {
                if name.eq_ignore_ascii_case(b"style") {
                    is_inert_style(attribute_value(bytes, span))
                } else {
                    anchor
                        && name.eq_ignore_ascii_case(b"href")
                        && is_inert_href(attribute_value(bytes, span))
                }
            };
            if is_read_attribute(name) && !inert_value() {
                continue;
            }
            // After a quoted value the next name may follow without a
            // space; the space put back keeps the two tokens apart.
            let with = if bytes.get(span.gap).is_some_and(|&c| is_space(c)) {
                ""
            } else {
                " "
            };
            self.replace(span.gap, span.end, with);
        }
        self.attributes = spans;
    }

    /// Drops the attributes of a tag beyond [`MAX_ATTRIBUTES`], unless the
    /// whole tag was dropped already.
    fn cap_attributes(&mut self, tag: &TagEnd) {
        if let Some(overflow) = tag.overflow {
            if self.copied < tag.end && !self.cut {
                self.attributes_capped = true;
                self.replace(overflow, tag.end, if tag.self_closing { "/>" } else { ">" });
            }
        }
    }

    fn in_foreign(&self) -> bool {
        self.stack.last().is_some_and(|o| o.foreign)
    }

    fn start_tag(
        &mut self,
        bytes: &[u8],
        lt: usize,
        end: usize,
        self_closing: bool,
        name: &TagName,
    ) -> Option<usize> {
        self.svg_opened = false;
        self.nav_opened = false;
        self.start_tags += 1;
        if self.start_tags > self.limits.max_dom_nodes {
            self.cut_at(lt);
            return None;
        }
        let info = name.info;
        if info.plaintext && !self.in_foreign() {
            return None;
        }
        if info.void || (self_closing && self.in_foreign()) {
            if info.reconstructs && !self.in_foreign() && !self.reconstruct(lt) {
                return None;
            }
            return Some(end);
        }
        if info.raw_text && !self.in_foreign() {
            // A leaf whatever its depth: its content is text, not tags, and
            // dropping its tags would turn a script into visible text.
            let raw_name = &bytes[lt + 1..lt + 1 + name.len];
            let close = raw_text_end(bytes, end, raw_name)?;
            if self.strip_code
                && close > end
                && self.copied <= end
                && is_unread_code(raw_name, &bytes[lt..end])
            {
                self.replace(end, close, "");
            }
            let close_name = read_name(bytes, close + 2);
            return tag_end(bytes, close + 2 + close_name.len).map(|t| t.end);
        }
        self.implied_end_tags(info);
        if matches!(info.kind, Kind::Html | Kind::Head | Kind::Body | Kind::Form)
            && !self.by_kind[info.kind as usize].is_empty()
        {
            // The tree builder merges a second html/body/head into the first
            // and ignores a nested form: nothing is opened.
            return Some(end);
        }
        let html_context = !self.in_foreign();
        if html_context {
            self.implied_table_parents(info.kind);
            if info.reconstructs && !self.reconstruct(lt) {
                return None;
            }
        }
        let foreign = !html_context || matches!(info.kind, Kind::Svg | Kind::Math);
        let mut kept = self.stack.len() < self.limits.max_dom_depth;
        if !kept {
            self.flattened = true;
            self.replace(lt, end, " ");
        }
        let mut active = None;
        if kept && html_context && info.formatting {
            let attributes = &bytes[lt + 1 + name.len..end];
            active = self.add_formatting(name, attributes);
            if active.is_none() {
                // Dropped, not flattened: an inline tag, so no space.
                kept = false;
                self.formatting_capped = true;
                self.replace(lt, end, "");
            }
        }
        if kept && is_marker(info.kind) {
            self.active.push(Active::Marker);
        }
        self.push(Open {
            hash: name.hash,
            kind: info.kind,
            foreign,
            kept,
            active,
            special: info.special,
        });
        self.svg_opened = kept && html_context && info.kind == Kind::Svg && !self_closing;
        self.nav_opened = kept && html_context && name.hash == self.nav;
        Some(end)
    }

    /// Empties the svg element whose start tag ends at `end`, when nothing
    /// inside leaves SVG; returns where the scan goes on.
    fn empty_svg(&mut self, bytes: &[u8], end: usize) -> usize {
        // Icons and logos: no stage reads inside an svg, and on news pages
        // their path data is several per cent of the bytes.
        match svg_content_end(bytes, end) {
            Some(close) => {
                if close > end && self.copied <= end {
                    self.replace(end, close, "");
                }
                close
            }
            None => end,
        }
    }

    /// Index in `active` of the first entry after the last marker.
    fn after_marker(&self) -> usize {
        self.active
            .iter()
            .rposition(|a| matches!(a, Active::Marker))
            .map_or(0, |m| m + 1)
    }

    /// Adds a formatting element to the active list (the Noah's Ark rule
    /// included) and returns its id, or `None` when the list is full.
    fn add_formatting(&mut self, name: &TagName, attributes: &[u8]) -> Option<u32> {
        let mut key = name.hash;
        for &b in attributes {
            key = (key ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let first = self.after_marker();
        let equal: Vec<usize> = (first..self.active.len())
            .filter(|&i| matches!(self.active[i], Active::Element { key: k, .. } if k == key))
            .collect();
        if equal.len() >= 3 {
            self.active.remove(equal[0]);
        } else if self.active.len() - first >= MAX_ACTIVE_FORMATTING {
            return None;
        }
        let id = self.next_active_id;
        self.next_active_id = self.next_active_id.wrapping_add(1);
        self.active.push(Active::Element {
            id,
            key,
            hash: name.hash,
            kind: name.info.kind,
            open: true,
        });
        Some(id)
    }

    /// Re-opens the formatting elements closed implicitly since the last
    /// marker, as the tree builder does before text and most start tags.
    /// They count as elements; returns false when that crosses the element
    /// limit (the page is then cut at `at`).
    fn reconstruct(&mut self, at: usize) -> bool {
        let mut first = self.active.len();
        while first > 0 && matches!(self.active[first - 1], Active::Element { open: false, .. }) {
            first -= 1;
        }
        for i in first..self.active.len() {
            let Active::Element { id, hash, kind, .. } = self.active[i] else {
                continue;
            };
            self.start_tags += 1;
            if self.start_tags > self.limits.max_dom_nodes {
                self.cut_at(at);
                return false;
            }
            if let Active::Element { open, .. } = &mut self.active[i] {
                *open = true;
            }
            self.push(Open {
                hash,
                kind,
                foreign: false,
                kept: true,
                active: Some(id),
                special: false,
            });
        }
        true
    }

    fn active_position(&self, id: u32) -> Option<usize> {
        self.active
            .iter()
            .rposition(|a| matches!(a, Active::Element { id: i, .. } if *i == id))
    }

    /// Closes what the tree builder closes before opening this start tag.
    fn implied_end_tags(&mut self, info: TagInfo) {
        if self.in_foreign() {
            if info.breaks_foreign {
                while self.in_foreign() {
                    self.pop();
                }
            } else {
                return;
            }
        }
        if info.closes_p {
            self.close_kinds(&[Kind::P], BUTTON_SCOPE);
        }
        match info.kind {
            Kind::Li => self.close_kinds(&[Kind::Li], LIST_SCOPE),
            Kind::Dd | Kind::Dt => self.close_kinds(&[Kind::Dd, Kind::Dt], DEFAULT_SCOPE),
            Kind::Td | Kind::Th => self.close_kinds(&[Kind::Td, Kind::Th], TABLE_SCOPE),
            // Closing the row or section closes the cells inside it too.
            Kind::Tr => self.close_kinds(&[Kind::Tr], TABLE_SCOPE),
            Kind::TableSection => self.close_kinds(&[Kind::TableSection], TABLE_SCOPE),
            Kind::A => {
                // An `a` still active is closed (adoption agency) and leaves
                // the list, open or not.
                let first = self.after_marker();
                let found = (first..self.active.len())
                    .rev()
                    .find_map(|i| match self.active[i] {
                        Active::Element {
                            id, kind: Kind::A, ..
                        } => Some(id),
                        _ => None,
                    });
                if let Some(id) = found {
                    if let Some(index) = self.stack.iter().rposition(|o| o.active == Some(id)) {
                        self.pop_to(index);
                    }
                    if let Some(position) = self.active_position(id) {
                        self.active.remove(position);
                    }
                }
            }
            Kind::Nobr => self.close_kinds(&[Kind::Nobr], DEFAULT_SCOPE),
            Kind::Button => self.close_kinds(&[Kind::Button], DEFAULT_SCOPE),
            // A heading or option closes one of its kind only when it is
            // the current node.
            Kind::Heading | Kind::Option
                if self.stack.last().is_some_and(|o| o.kind == info.kind) =>
            {
                self.pop()
            }
            Kind::Optgroup => {
                while self
                    .stack
                    .last()
                    .is_some_and(|o| matches!(o.kind, Kind::Option | Kind::Optgroup))
                {
                    self.pop();
                }
            }
            _ => {}
        }
    }

    /// Opens the `tbody` and `tr` the tree builder inserts for a row or cell
    /// placed straight in a table: they count towards the depth too.
    fn implied_table_parents(&mut self, kind: Kind) {
        let top = self.stack.last().map(|o| o.kind);
        let (section, row) = match (kind, top) {
            (Kind::Tr, Some(Kind::Table)) => (true, false),
            (Kind::Td | Kind::Th, Some(Kind::Table)) => (true, true),
            (Kind::Td | Kind::Th, Some(Kind::TableSection)) => (false, true),
            _ => return,
        };
        if section {
            self.push(Open {
                hash: read_name(b"tbody", 0).hash,
                kind: Kind::TableSection,
                foreign: false,
                kept: true,
                active: None,
                special: true,
            });
        }
        if row {
            self.push(Open {
                hash: read_name(b"tr", 0).hash,
                kind: Kind::Tr,
                foreign: false,
                kept: true,
                active: None,
                special: true,
            });
        }
    }

    /// Index of the innermost scope boundary, if any.
    fn boundary(&self, scope: &[Kind]) -> Option<u32> {
        scope
            .iter()
            .filter_map(|k| self.by_kind[*k as usize].last().copied())
            .max()
    }

    /// Pops to (and including) the innermost element of one of `kinds`, if
    /// it is in `scope`.
    fn close_kinds(&mut self, kinds: &[Kind], scope: &[Kind]) {
        let Some(index) = kinds
            .iter()
            .filter_map(|k| self.by_kind[*k as usize].last().copied())
            .max()
        else {
            return;
        };
        // `>=`: an element that is itself a boundary is in its own scope.
        if self.boundary(scope).is_none_or(|b| index >= b) {
            self.pop_to(index as usize);
        }
    }

    fn end_tag(&mut self, lt: usize, end: usize, name: &TagName) {
        let scope = match name.info.kind {
            // The tree builder never pops these on their end tags.
            Kind::Html | Kind::Body | Kind::Head | Kind::Br => return,
            Kind::P => BUTTON_SCOPE,
            Kind::Li => LIST_SCOPE,
            Kind::Td | Kind::Th | Kind::Tr | Kind::TableSection | Kind::Table | Kind::Caption => {
                TABLE_SCOPE
            }
            _ => DEFAULT_SCOPE,
        };
        let Some(index) = self
            .by_name
            .get(&name.hash)
            .and_then(|v| v.last().copied())
            .filter(|&index| self.boundary(scope).is_none_or(|b| index >= b))
        else {
            if name.info.formatting {
                // Closed implicitly earlier: the end tag only takes it off
                // the active list.
                let first = self.after_marker();
                if let Some(position) = (first..self.active.len()).rev().find(|&i| {
                    matches!(self.active[i], Active::Element { hash, .. } if hash == name.hash)
                }) {
                    self.active.remove(position);
                }
            }
            return;
        };
        let open = self.stack[index as usize];
        if self.navs.last().is_some_and(|&(i, _, _)| i == index) && name.hash == self.nav {
            // Menus: the content stage skips a nav and the metadata stage
            // only counts its elements (distances between a date and the
            // title are counted in elements), and on news pages navs are
            // a sixth of the bytes. The count stays, in an attribute.
            if let (Some(&(_, out_len, tags_before)), Some(out)) =
                (self.navs.last(), self.out.as_mut())
            {
                let elements = self.start_tags - tags_before;
                out.truncate(out_len);
                if elements > 0 && out.ends_with('>') && !out.ends_with("/>") {
                    out.truncate(out_len - 1);
                    out.push_str(&format!(" {NAV_ELEMENTS_ATTRIBUTE}=\"{elements}\">"));
                }
                self.copied = lt;
            }
        }
        if !open.kept {
            // Formatting tags are dropped without a space (see start_tag).
            let with = if name.info.formatting && (index as usize) < self.limits.max_dom_depth {
                ""
            } else {
                " "
            };
            self.replace(lt, end, with);
        }
        let index = index as usize;
        let misnested = open.active.is_some() && self.stack[index + 1..].iter().any(|o| o.special);
        if misnested {
            // The adoption agency closes the formatting element but keeps
            // the blocks opened inside it open (`<b><div>x</b>`: the div
            // stays). Taking out only the formatting element overestimates
            // the depth a little, never underestimates it.
            self.remove_at(index);
        } else {
            self.pop_to(index);
        }
        if let Some(position) = open.active.and_then(|id| self.active_position(id)) {
            self.active.remove(position);
        }
    }

    /// Takes the element at `index` out of the middle of the stack.
    fn remove_at(&mut self, index: usize) {
        let mut above = Vec::with_capacity(self.stack.len() - index);
        while self.stack.len() > index + 1 {
            above.extend(self.unlink_top());
        }
        self.unlink_top();
        while let Some(open) = above.pop() {
            self.push(open);
        }
    }

    fn push(&mut self, open: Open) {
        let index = self.stack.len() as u32;
        self.by_name.entry(open.hash).or_default().push(index);
        self.by_kind[open.kind as usize].push(index);
        self.stack.push(open);
    }

    /// Pops the current node off the stack and the position maps only.
    fn unlink_top(&mut self) -> Option<Open> {
        let open = self.stack.pop()?;
        if self
            .navs
            .last()
            .is_some_and(|&(i, _, _)| i as usize == self.stack.len())
        {
            self.navs.pop();
        }
        if let Some(v) = self.by_name.get_mut(&open.hash) {
            v.pop();
        }
        self.by_kind[open.kind as usize].pop();
        Some(open)
    }

    /// Pops the current node as the tree builder closes it.
    fn pop(&mut self) {
        let Some(open) = self.unlink_top() else {
            return;
        };
        if let Some(position) = open.active.and_then(|id| self.active_position(id)) {
            if let Active::Element { open, .. } = &mut self.active[position] {
                *open = false;
            }
        }
        if open.kept && is_marker(open.kind) {
            while let Some(entry) = self.active.pop() {
                if matches!(entry, Active::Marker) {
                    break;
                }
            }
        }
    }

    fn pop_to(&mut self, index: usize) {
        while self.stack.len() > index {
            self.pop();
        }
    }

    fn replace(&mut self, from: usize, to: usize, with: &str) {
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.html.len()));
        out.push_str(&self.html[self.copied..from]);
        out.push_str(with);
        self.copied = to;
    }

    fn cut_at(&mut self, at: usize) {
        self.cut = true;
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(at + 1));
        out.push_str(&self.html[self.copied..at]);
        self.copied = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    fn limits(depth: usize, nodes: usize) -> Limits {
        Limits {
            max_dom_depth: depth,
            max_dom_nodes: nodes,
            ..Limits::default()
        }
    }

    /// The deepest element nesting html5ever builds for `html`.
    fn parsed_depth(html: &str) -> usize {
        let doc = Document::from(html);
        doc.select("*")
            .nodes()
            .iter()
            .map(|n| n.ancestors_it(None).count())
            .max()
            .unwrap_or(0)
    }

    /// Pages that a depth limit of 4 must leave alone: the model must not
    /// count elements the tree builder closes or never opens.
    #[test]
    fn shallow_pages_are_borrowed_untouched() {
        let cases: &[(&str, &str)] = &[
            ("voids", "<div><br><img src=x><hr><input><div>x</div></div>"),
            (
                "script",
                "<div><script>if (a<b) document.write('<div><div><div><div>')</script></div>",
            ),
            (
                "script case",
                "<div><SCRIPT>x='<div><div><div><div>'</scRipt ><div>y</div></div>",
            ),
            ("style", "<div><style>p>a{}</style><div>x</div></div>"),
            (
                "comment",
                "<div><!-- <div><div><div><div> --><div>x</div></div>",
            ),
            (
                "short comment",
                "<div><!--><div><!---><div>x</div></div></div>",
            ),
            ("doctype", "<!DOCTYPE html><div><div>x</div></div>"),
            (
                "quoted >",
                "<div title=\"a>b<div><div><div>\"><div>x</div></div>",
            ),
            (
                "single quoted",
                "<div title='<div><div><div>'><div>x</div></div>",
            ),
            ("paragraphs", "<div><p>a<p>b<p>c<p>d<p>e<p>f</div>"),
            ("list items", "<ul><li>a<li>b<li>c<li>d<li>e<li>f</ul>"),
            ("definitions", "<dl><dt>a<dd>b<dt>c<dd>d<dt>e<dd>f</dl>"),
            (
                "cells",
                "<table><tr><td>a<td>b<td>c<tr><td>d<td>e<tr><td>f</table>",
            ),
            (
                "options",
                "<select><option>a<option>b<option>c<option>d</select>",
            ),
            (
                "anchors",
                "<div><a href=1>a<a href=2>b<a href=3>c<a href=4>d</div>",
            ),
            ("headings", "<div><h1>a<h2>b<h3>c<h4>d</div>"),
            (
                "svg self-closing",
                "<svg><path/><path/><g/><g/><circle/></svg>",
            ),
            ("lt in text", "<div>a < b and c<d</div>"),
            (
                "noscript",
                "<div><noscript><img src=x></noscript><div>x</div></div>",
            ),
            ("stray end tags", "</div></span></p></li><div>x</div>"),
            (
                "unclosed at end",
                "<div><div>x</div></div><div title=\"oops",
            ),
            (
                "bold across paragraphs",
                "<p><b>bold<p>still bold<p>more<p>and more</b>",
            ),
            (
                "stray formatting end tags",
                "<div></b></i><b>x</b></i></div>",
            ),
            (
                "anchor in anchor",
                "<p><a href=1>a<b>b<a href=2>c<a href=3>d</p>",
            ),
        ];
        for (name, html) in cases {
            let g = guard(html, &limits(4, 1000));
            assert!(
                matches!(g.html, Cow::Borrowed(_)),
                "{name}: rewritten to {:?}",
                g.html
            );
            assert!(g.warnings.is_empty(), "{name}: {:?}", g.warnings);
        }
    }

    #[test]
    fn extraction_guard_empties_scripts_and_styles_but_not_json_ld() {
        let html = concat!(
            "<html><head><style>p>a{color:red}</style>",
            "<script type=\"application/ld+json\">{\"headline\":\"Kept\"}</script>",
            "<SCRIPT src=x>var a = '<div>' < 3;</SCRIPT >",
            "<script></script></head><body><p>Text stays.</p>",
            "<textarea>form text</textarea></body></html>"
        );
        let g = guard_for_extraction(html, &limits(512, 1000));
        assert_eq!(
            g.html,
            concat!(
                "<html><head><style></style>",
                "<script type=\"application/ld+json\">{\"headline\":\"Kept\"}</script>",
                "<SCRIPT src=x></SCRIPT >",
                "<script></script></head><body><p>Text stays.</p>",
                "<textarea>form text</textarea></body></html>"
            )
        );
        assert!(g.warnings.is_empty());
        // An unclosed script is left to the parser as it is.
        let open = "<p>a</p><script>var x = 1;";
        assert_eq!(guard_for_extraction(open, &limits(512, 1000)).html, open);
    }

    #[test]
    fn extraction_guard_drops_unread_attributes() {
        let rows: &[(&str, &str)] = &[
            (
                "<div data-x=\"1\" class=\"a\" srcset='b c'>t</div>",
                "<div class=\"a\">t</div>",
            ),
            // Quoted values followed straight by the next name.
            (
                "<p id=\"i\"data-y=\"2\"title=\"t\">",
                "<p id=\"i\" title=\"t\">",
            ),
            ("<a href=x onclick=go() rel=author>", "<a rel=author>"),
            ("<img src=x alt=y/>", "<img>"),
            ("<img src=\"x\" />", "<img />"),
            ("<input disabled Type=hidden>", "<input Type=hidden>"),
            (
                "<time DateTime=\"2020\" data-a=>",
                "<time DateTime=\"2020\">",
            ),
            ("<br/data-z=1 / >", "<br/  / >"),
            // End tags and tags without attributes are left alone.
            ("<b>x</b data-q=1>", "<b>x</b data-q=1>"),
        ];
        for (html, want) in rows {
            let g = guard_for_extraction(html, &limits(512, 1000));
            assert_eq!(g.html, *want, "{html}");
            assert!(g.warnings.is_empty());
        }
        // Only the extraction guard drops them.
        let html = "<div data-x=1>t</div>";
        assert!(matches!(
            guard(html, &limits(512, 1000)).html,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn extraction_guard_keeps_only_the_values_stages_read() {
        let rows: &[(&str, &str)] = &[
            // Links: kept on the page, to an author's page, or with
            // character references the parser would decode.
            ("<a href=\"/news/x\">", "<a>"),
            ("<a href='#top'>", "<a href='#top'>"),
            (
                "<a HREF=\"/Author/jane-doe\">",
                "<a HREF=\"/Author/jane-doe\">",
            ),
            ("<a href=\"/author/feed\">", "<a>"),
            ("<a href=\"&#35;top\">", "<a href=\"&#35;top\">"),
            // Only anchors: a base or area keeps its href.
            ("<base href=\"/x/\">", "<base href=\"/x/\">"),
            // Styles: only those that can hide the element.
            ("<p style=\"color: red\" class=c>", "<p class=c>"),
            (
                "<p style=\"DISPLAY : none\">",
                "<p style=\"DISPLAY : none\">",
            ),
            (
                "<p style='visibility:hidden'>",
                "<p style='visibility:hidden'>",
            ),
            (
                "<p style=\"display&#58;none\">",
                "<p style=\"display&#58;none\">",
            ),
            // Comments: emptied, not removed (they stay nodes).
            ("a<!-- menu --><p>b", "a<!----><p>b"),
            ("<!----><!--->x<!-->", "<!----><!--->x<!-->"),
            // A comment that `--!>` ends is left whole, with what the scan
            // took for its text.
            (
                "<!-- a --!><p>b</p><!-- c -->",
                "<!-- a --!><p>b</p><!-- c -->",
            ),
        ];
        for (html, want) in rows {
            let g = guard_for_extraction(html, &limits(512, 1000));
            assert_eq!(g.html, *want, "{html}");
        }
    }

    #[test]
    fn extraction_guard_drops_unread_links_in_the_head_only() {
        let html = "<html><head><link rel=stylesheet href=a.css>\
                    <link rel=\"Canonical\" href=\"https://x.test/a\">\
                    <link itemprop=url href=\"https://x.test/a\"><title>T</title>\
                    <link rel=preload href=b></head>\
                    <body><link rel=stylesheet href=c.css><p>x</p></body></html>";
        let want = "<html><head>\
                    <link rel=\"Canonical\" href=\"https://x.test/a\">\
                    <link itemprop=url href=\"https://x.test/a\"><title>T</title>\
                    </head>\
                    <body><link rel=stylesheet href=c.css><p>x</p></body></html>";
        assert_eq!(guard_for_extraction(html, &limits(512, 1000)).html, want);
        // Text or a body tag ends the head, even without `</head>`.
        for html in [
            "<head><title>T</title>x<link rel=icon>",
            "<head><div></div><link rel=icon>",
            "<link rel=icon><body>",
        ] {
            assert!(
                guard_for_extraction(html, &limits(512, 1000))
                    .html
                    .contains("<link"),
                "{html}"
            );
        }
        // Only the extraction guard drops them.
        let html = "<head><link rel=stylesheet href=a.css></head>";
        assert!(matches!(
            guard(html, &limits(512, 1000)).html,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn extraction_guard_shortens_whitespace_between_tags_outside_pre() {
        let rows: &[(&str, &str)] = &[
            ("<div>\n    <p>a</p>\n\n  </div>", "<div>\n<p>a</p>\n</div>"),
            ("<p>a  b</p> <p>c</p>", "<p>a  b</p> <p>c</p>"),
            ("<b>x</b>\t\t<i>y</i>", "<b>x</b>\t<i>y</i>"),
            (
                "<pre>\n  <b>x</b>\n    <i>y</i></pre>\n  <p>z</p>",
                "<pre>\n  <b>x</b>\n    <i>y</i></pre>\n<p>z</p>",
            ),
        ];
        for (html, want) in rows {
            assert_eq!(
                guard_for_extraction(html, &limits(512, 1000)).html,
                *want,
                "{html}"
            );
        }
    }

    #[test]
    fn extraction_guard_empties_navs_closed_by_their_end_tag() {
        let rows: &[(&str, &str)] = &[
            (
                "<nav class=\"menu\"><ul><li><a href=\"/a\">A</a><li>B</ul></nav><p>x</p>",
                "<nav class=\"menu\" data-whosaid-elements=\"4\"></nav><p>x</p>",
            ),
            // Text alone: nothing to count.
            ("<nav>Home</nav>", "<nav></nav>"),
            (
                "<nav><nav><b>i</b></nav><i>o</i></nav>",
                "<nav data-whosaid-elements=\"3\"></nav>",
            ),
            // Closed by its parent's end tag, or never: left as it is.
            (
                "<div><nav><a>A</a></div><p>x</p>",
                "<div><nav><a>A</a></div><p>x</p>",
            ),
            ("<nav><a>A</a>", "<nav><a>A</a>"),
        ];
        for (html, want) in rows {
            assert_eq!(
                guard_for_extraction(html, &limits(512, 1000)).html,
                *want,
                "{html}"
            );
        }
    }

    #[test]
    fn extraction_guard_empties_svg_unless_it_breaks_out() {
        let rows: &[(&str, &str)] = &[
            (
                "<p>a<svg viewBox=\"0 0 1 1\"><g><path d=\"M0\"/></g><svg><circle/></svg></svg>b</p>",
                "<p>a<svg></svg>b</p>",
            ),
            (
                "<svg><title>T</title><!-- </svg> --><![CDATA[</svg>]]></svg><p>x</p>",
                "<svg></svg><p>x</p>",
            ),
            // Unclosed inner elements close with the svg.
            ("<svg><g><rect></svg>z", "<svg></svg>z"),
            // A breakout tag, or an end tag of an element opened outside,
            // takes the parser back to HTML: left as it is.
            ("<svg><p>text</p></svg>", "<svg><p>text</p></svg>"),
            (
                "<span><svg><g></span>t</svg>",
                "<span><svg><g></span>t</svg>",
            ),
            (
                "<svg><font color=red>t</font></svg>",
                "<svg><font color=red>t</font></svg>",
            ),
            // Unclosed at the end of the page.
            ("<svg><g>", "<svg><g>"),
            ("<svg/><p>x</p>", "<svg/><p>x</p>"),
        ];
        for (html, want) in rows {
            let g = guard_for_extraction(html, &limits(512, 1000));
            assert_eq!(g.html, *want, "{html}");
        }
        // Whatever is dropped, the text around parses the same.
        for (html, want) in rows {
            let text = |h: &str| Document::from(h).select("p, body").text().to_string();
            assert_eq!(
                text(want),
                text(&guard_for_extraction(html, &limits(512, 1000)).html)
            );
        }
    }

    #[test]
    fn stripping_and_limits_combine() {
        let html = format!(
            "<script>x</script>{}y{}<style>z</style>",
            "<div>".repeat(10),
            "</div>".repeat(10)
        );
        let g = guard_for_extraction(&html, &limits(4, 1000));
        assert!(!g.html.contains('x') && !g.html.contains('z'));
        assert!(g.html.contains('y'));
        assert!(parsed_depth(&g.html) <= 6, "{}", g.html);
        assert_eq!(g.warnings.len(), 1);
    }

    #[test]
    fn deep_tags_are_dropped_and_text_kept() {
        let html = "<div><div><div><div><div>deep</div></div></div></div></div><p>after</p>";
        let g = guard(html, &limits(3, 1000));
        assert_eq!(
            g.html,
            "<div><div><div>  deep  </div></div></div><p>after</p>"
        );
        assert_eq!(
            g.warnings,
            ["HTML nested deeper than 3 elements; deeper tags flattened"]
        );
    }

    #[test]
    fn node_limit_cuts_the_page() {
        let html = "<p>one</p><p>two</p><p>three</p><p>four</p>";
        let g = guard(html, &limits(100, 3));
        assert_eq!(g.html, "<p>one</p><p>two</p><p>three</p>");
        assert_eq!(
            g.warnings,
            ["HTML has more than 3 elements; the rest of the page was dropped"]
        );
    }

    #[test]
    fn cut_after_flattening_keeps_both_edits() {
        let html = "<b><b><b>x</b></b></b><i>y</i><u>z</u>";
        let g = guard(html, &limits(2, 4));
        assert_eq!(g.html, "<b><b> x </b></b><i>y</i>");
        assert_eq!(g.warnings.len(), 2);
    }

    #[test]
    fn multibyte_text_survives_rewriting() {
        let html = "<i>é<i>ü<i>—<i>日本</i></i></i></i>";
        let g = guard(html, &limits(2, 100));
        assert_eq!(g.html, "<i>é<i>ü — 日本  </i></i>");
    }

    #[test]
    fn empty_and_tagless_inputs() {
        for html in [
            "",
            "plain text",
            "<",
            "</",
            "<!",
            "<!--",
            "a <3 b",
            "<a",
            "</a",
        ] {
            let g = guard(html, &limits(1, 1));
            assert_eq!(g.html, html);
        }
    }

    /// Generators of hostile nesting; after the guard, html5ever must build a
    /// tree no deeper than the limit plus what it adds (html, head/body,
    /// tbody), and the text must survive.
    #[test]
    fn hostile_nesting_is_bounded_after_parsing() {
        let n = 3000;
        let cases: Vec<(&str, String)> = vec![
            (
                "divs",
                format!("{}hello{}", "<div>".repeat(n), "</div>".repeat(n)),
            ),
            ("unclosed spans", format!("{}hello", "<span>".repeat(n))),
            ("formatting", format!("{}hello", "<b><i>".repeat(n))),
            (
                "div end tag out of table scope",
                format!("{}hello", "<div><table><tr><td></div>".repeat(n)),
            ),
            (
                "nested tables",
                format!("{}hello", "<table><tr><td>".repeat(n)),
            ),
            ("svg groups", format!("<svg>{}hello", "<g>".repeat(n))),
            ("lists", format!("{}hello", "<ul><li>".repeat(n))),
            (
                "misnested formatting",
                format!("{}hello", "<b><div>x</b>".repeat(n)),
            ),
            (
                "misnested anchors",
                format!("{}hello", "<a href=x><div>x</a>".repeat(n)),
            ),
            ("blockquotes", format!("{}hello", "<blockquote>".repeat(n))),
            (
                "inside noscript",
                format!("<noscript>{}hello", "<div>".repeat(n)),
            ),
            (
                "uppercase",
                format!("{}hello{}", "<DIV>".repeat(n), "</DIV>".repeat(n)),
            ),
        ];
        let limit = 64;
        for (name, html) in cases {
            let g = guard(&html, &limits(limit, 1_000_000));
            assert!(!g.warnings.is_empty(), "{name}: not flattened");
            let depth = parsed_depth(&g.html);
            assert!(depth <= limit + 4, "{name}: parsed depth {depth}");
            assert!(
                Document::from(g.html.as_ref()).text().contains("hello"),
                "{name}: text lost"
            );
        }
    }

    /// Old pages open a `<font>` in every paragraph and never close it. The
    /// tree builder re-opens at most three equal ones (its "Noah's Ark"
    /// rule), so the depth stays at paragraph + 4 however long the page.
    #[test]
    fn repeated_unclosed_fonts_stay_shallow() {
        let html = "<p><font face=a>text</p>".repeat(200);
        let g = guard(&html, &limits(6, 10_000));
        assert!(matches!(g.html, Cow::Borrowed(_)), "{:?}", g.warnings);
        assert!(parsed_depth(&html) <= 6 + 2);
    }

    /// Unclosed formatting elements are re-opened by the tree builder
    /// wherever content follows: 500 distinct `<b>` tags left open would
    /// make every later paragraph 500 elements deep and the tree hundreds of
    /// times larger than the page.
    #[test]
    fn formatting_reconstruction_is_bounded() {
        let opened: String = (0..500).map(|i| format!("<b id={i}>")).collect();
        let cases = [
            (
                "paragraphs",
                format!("<p>{opened}</p>{}", "<p>x</p>".repeat(3000)),
            ),
            (
                "divs",
                format!("<div>{opened}</div>{}", "<div>x</div>".repeat(3000)),
            ),
            (
                "cells",
                format!("<table><tr><td>{opened}</td></tr></table><p>x</p>"),
            ),
        ];
        let max_nodes = 20_000;
        for (name, html) in cases {
            let g = guard(&html, &limits(512, max_nodes));
            let elements = Document::from(g.html.as_ref()).select("*").length();
            assert!(elements <= max_nodes + 10, "{name}: {elements} elements");
            assert!(
                g.warnings.iter().any(|w| w.contains("formatting elements")),
                "{name}: {:?}",
                g.warnings
            );
        }
    }

    #[test]
    fn attributes_beyond_the_cap_are_dropped() {
        let many: String = (0..1000).map(|i| format!(" a{i}=\"v>{i}\"")).collect();
        let html = format!("<div{many}>text</div><br{many}/><p>after</p>");
        let g = guard(&html, &Limits::default());
        let kept: String = (0..MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"v>{i}\""))
            .collect();
        assert_eq!(
            g.html,
            format!("<div{kept} >text</div><br{kept} /><p>after</p>")
        );
        assert_eq!(
            g.warnings,
            [format!(
                "HTML tag with more than {MAX_ATTRIBUTES} attributes; the rest dropped"
            )]
        );
        let few: String = (0..MAX_ATTRIBUTES).map(|i| format!(" a{i}")).collect();
        let html = format!("<div{few}>text</div>");
        assert!(matches!(
            guard(&html, &Limits::default()).html,
            Cow::Borrowed(_)
        ));
    }

    /// Random tag soup from the tags the model treats specially: whatever
    /// the mix, the tree html5ever builds from the guarded page stays within
    /// the limit plus what the model knowingly lets through (implied
    /// html/body/tbody/tr, re-opened formatting elements).
    #[test]
    fn random_tag_soup_is_bounded_after_parsing() {
        const TAGS: &[&str] = &[
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<i class=x>",
            "</i>",
            "<a href=1>",
            "</a>",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<table>",
            "</table>",
            "<tr>",
            "<td>",
            "</td>",
            "<span>",
            "</span>",
            "<svg>",
            "</svg>",
            "<g>",
            "<path/>",
            "<br>",
            "<font face=a>",
            "</font>",
            "<h2>",
            "</h2>",
            "<button>",
            "<select>",
            "<option>",
            "<dl>",
            "<dt>",
            "<dd>",
            "<blockquote>",
            "<nobr>",
            "<noscript>",
            "<template>",
            "<script>x</script>",
            "<!-- c -->",
            "text ",
            "more text ",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let limit = 24;
        for case in 0..150 {
            let mut html = String::new();
            for _ in 0..1500 {
                // Skew towards opening, so that pages get deep.
                let r = next() as usize;
                let tag = TAGS[r % TAGS.len()];
                if tag.starts_with("</") && r.is_multiple_of(3) {
                    continue;
                }
                html.push_str(tag);
            }
            let g = guard(&html, &limits(limit, 1_000_000));
            let depth = parsed_depth(&g.html);
            assert!(
                depth <= limit + MAX_ACTIVE_FORMATTING + 8,
                "case {case}: parsed depth {depth}\n{html}"
            );
        }
    }

    #[test]
    fn large_inputs_stay_linear() {
        let started = std::time::Instant::now();
        let deep = format!(
            "{}hello{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let g = guard(&deep, &Limits::default());
        assert!(g.html.contains("hello"));
        let siblings = "<p>x</p>".repeat(1_000_000);
        let g = guard(&siblings, &Limits::default());
        assert_eq!(g.warnings.len(), 1);
        let text = "word ".repeat(1_000_000);
        assert!(matches!(
            guard(&text, &Limits::default()).html,
            Cow::Borrowed(_)
        ));
        // Generous for debug builds on a slow machine; the release scan of
        // all three takes milliseconds.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }
}
