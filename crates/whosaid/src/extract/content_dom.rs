//! One walk over the parsed page into a flat outline for the content
//! extractor: the elements that matter (pre-order, with parents and class
//! evidence) and the runs of text between block boundaries ("raw blocks"),
//! in document order.
//!
//! Because elements are numbered in pre-order and raw blocks are appended in
//! document order, the raw blocks under any element form one contiguous
//! range; every subtree aggregate the scorer needs is then a difference of
//! prefix sums instead of a second tree walk.

use std::sync::OnceLock;

use dom_query::{Document, NodeData, NodeId, NodeRef};

use crate::hashing::PrehashedMap;

/// "No element": the parent of the root, or a block outside any table row.
pub const NONE: u32 = u32::MAX;

/// The elements the extractor treats specially; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Body,
    Article,
    Main,
    Section,
    Div,
    P,
    Heading(u8),
    Li,
    List,
    Blockquote,
    Pre,
    Table,
    Tr,
    Cell,
    Dt,
    Dd,
    Figure,
    Figcaption,
    Header,
    Footer,
    Aside,
    Address,
    /// Sign-up and contact forms; ASP.NET pages wrap the whole page in one,
    /// so a form is furniture only when it holds little of the prose.
    Form,
    Anchor,
    /// A link to a place on the same page (`href="#..."`): tables of
    /// contents, footnote marks.
    LocalAnchor,
    Inline,
    Other,
}

/// Why an element's subtree looks like page furniture rather than article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Furniture {
    /// Names that sometimes sit on wrappers of real text too ("teaser",
    /// "summary", "promo", "aside"): dropped only when the text under them
    /// does not read like prose.
    Soft,
    /// Names that almost never hold article text (share bars, newsletter
    /// boxes, comments, related stories, cookie banners).
    Hard,
}

#[derive(Debug, Clone)]
pub struct Elem {
    pub parent: u32,
    pub tag: Tag,
    pub furniture: Option<Furniture>,
    /// Class or id names an article body tends to carry.
    pub content_name: bool,
    /// `article`, `main`, `role=main` or `itemprop=articleBody`.
    pub semantic: bool,
    /// The explicit `itemprop=articleBody` marker, stronger than the rest.
    pub article_body: bool,
    /// Raw blocks under this element: `first_block..end_block`.
    pub first_block: u32,
    pub end_block: u32,
}

/// What a raw block sits in, innermost structure first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    Heading(u8),
    ListItem,
    Quote,
    Pre,
    Cell,
    Caption,
    Paragraph,
    /// Text directly in a `div`, `section` or similar, without a `p`.
    Loose,
}

#[derive(Debug, Clone)]
pub struct RawBlock {
    /// Innermost block-level element holding the text.
    pub owner: u32,
    /// The table row of a cell, so that cells can be joined per row.
    pub row: u32,
    pub kind: RawKind,
    /// Whitespace already collapsed.
    pub text: String,
    /// Non-space characters, and those of them inside links.
    pub chars: u32,
    pub link_chars: u32,
    /// Characters inside links to the same page.
    pub local_link_chars: u32,
    pub words: u32,
    /// Under a hidden block-level element. Script-rendered pages (streamed
    /// server rendering) park the whole article in one, so hidden runs are
    /// kept and marked, for the selection to fall back on.
    pub hidden: bool,
    /// The outermost hidden block element holding the run, or [`NONE`].
    pub hidden_holder: u32,
    /// Inside a list item (a table of contents' headings are).
    pub in_list: bool,
}

#[derive(Debug, Default)]
pub struct Outline {
    pub elems: Vec<Elem>,
    pub blocks: Vec<RawBlock>,
}

enum Display {
    /// Not rendered or not text: the subtree is ignored.
    Skip,
    Inline,
    Block,
    LineBreak,
}

fn classify(name: &str) -> (Tag, Display) {
    use Display::*;
    match name {
        "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe" | "object"
        | "embed" | "canvas" | "video" | "audio" | "head" | "title" | "meta" | "link"
        | "button" | "input" | "select" | "textarea" | "option" | "nav" | "menu" | "dialog"
        | "picture" | "source" | "map" => (Tag::Other, Skip),
        "a" => (Tag::Anchor, Inline),
        "span" | "b" | "strong" | "em" | "i" | "u" | "small" | "sup" | "sub" | "code" | "mark"
        | "abbr" | "cite" | "q" | "time" | "font" | "label" | "s" | "del" | "ins" | "big"
        | "kbd" | "var" | "samp" | "dfn" | "bdi" | "bdo" | "tt" | "strike" | "img" | "wbr"
        | "data" | "nobr" => (Tag::Inline, Inline),
        "br" => (Tag::Inline, LineBreak),
        "body" => (Tag::Body, Block),
        "article" => (Tag::Article, Block),
        "main" => (Tag::Main, Block),
        "section" => (Tag::Section, Block),
        "div" | "center" => (Tag::Div, Block),
        "p" => (Tag::P, Block),
        "h1" => (Tag::Heading(1), Block),
        "h2" => (Tag::Heading(2), Block),
        "h3" => (Tag::Heading(3), Block),
        "h4" => (Tag::Heading(4), Block),
        "h5" => (Tag::Heading(5), Block),
        "h6" => (Tag::Heading(6), Block),
        "li" => (Tag::Li, Block),
        "ul" | "ol" | "dl" => (Tag::List, Block),
        "blockquote" => (Tag::Blockquote, Block),
        "pre" => (Tag::Pre, Block),
        "table" => (Tag::Table, Block),
        "tr" => (Tag::Tr, Block),
        "td" | "th" => (Tag::Cell, Block),
        "dt" => (Tag::Dt, Block),
        "dd" => (Tag::Dd, Block),
        "figure" => (Tag::Figure, Block),
        "figcaption" | "caption" => (Tag::Figcaption, Block),
        "header" => (Tag::Header, Block),
        "footer" => (Tag::Footer, Block),
        "aside" => (Tag::Aside, Block),
        "address" => (Tag::Address, Block),
        "form" => (Tag::Form, Block),
        _ => (Tag::Other, Block),
    }
}

/// Class and id words that mark furniture, matched as whole tokens of the
/// lower-cased `class` and `id` (split on anything not a letter or digit).
/// These almost never name a wrapper of article text.
const STRICT_TOKENS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "sharedaddy",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "comment",
    "comments",
    "disqus",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "ad",
    "ads",
    "advert",
    "advertisement",
    "adsense",
    "sponsor",
    "sponsored",
    "popup",
    "modal",
    "pagination",
    "pager",
    "recommended",
    "trending",
    "popular",
    "outbrain",
    "taboola",
    "copyright",
    "disclaimer",
    "republish",
    "byline",
    "cta",
    "tooltip",
    "footnotes",
];

/// Furniture words that sites also use inside the names of content
/// wrappers ("content-nav-section", "entry-meta-wrap"): they count only
/// when no content word stands beside them.
const WEAK_TOKENS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "banner",
    "tags",
    "tag",
    "tagcloud",
    "meta",
    "print",
    "toolbar",
    "dateline",
    "timestamp",
    "caption",
    "credit",
    "credits",
    "author",
    "bio",
    "masthead",
];

/// Substrings that mark furniture inside compound names ("sharebar",
/// "post-newsletter-signup", "relatedposts").
const STRICT_SUBSTRINGS: &[&str] = &[
    "share",
    "social",
    "related",
    "newsletter",
    "subscri",
    "comment",
    "cookie",
    "sidebar",
    "breadcrumb",
    "navbar",
    "advert",
    "paywall",
    "signup",
    "sign-up",
    "readmore",
    "read-more",
    "more-stories",
    "morestories",
    "recirc",
    "author-info",
    "author-box",
    "authorbox",
    "author-bio",
    "about-author",
    "byline",
    "post-meta",
    "entry-meta",
    "article-meta",
    "postmeta",
    "skip-link",
    "skip-to",
    "skiplink",
    "screen-reader",
    "visually-hidden",
    "sr-only",
];

const WEAK_SUBSTRINGS: &[&str] = &["footer", "promo", "follow", "tagline"];

const SOFT_TOKENS: &[&str] = &[
    "teaser", "summary", "promo", "aside", "header", "extra", "card", "cards", "info", "more",
    "list", "feed", "box", "widget", "widgets",
];

const CONTENT_TOKENS: &[&str] = &[
    "article",
    "content",
    "entry",
    "post",
    "story",
    "body",
    "text",
    "main",
    "blog",
    "prose",
    "richtext",
    "articlebody",
    "postbody",
    "storybody",
    "single",
];

const CONTENT_SUBSTRINGS: &[&str] = &[
    "article",
    "content",
    "entry-",
    "story",
    "post-body",
    "postbody",
];

/// A substring and the name bit it sets.
type Needle = (&'static [u8], u8);

/// The substrings above by their first byte, each with the name bit it
/// sets: one pass over a name finds all three kinds, where a regex per
/// kind cost a search each (names are short, the per-search setup was
/// most of the cost).
fn substrings_by_first_byte() -> &'static [Vec<Needle>] {
    static TABLE: OnceLock<Vec<Vec<Needle>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![Vec::new(); 256];
        for (list, bit) in [
            (STRICT_SUBSTRINGS, NAME_STRICT),
            (WEAK_SUBSTRINGS, NAME_WEAK),
            (CONTENT_SUBSTRINGS, NAME_CONTENT),
        ] {
            for needle in list {
                let needle = needle.as_bytes();
                table[usize::from(needle[0])].push((needle, bit));
            }
        }
        table
    })
}

/// The bits of the substring lists that occur in `name`.
fn substring_bits(name: &[u8]) -> u8 {
    let table = substrings_by_first_byte();
    let mut bits = 0;
    for (at, &first) in name.iter().enumerate() {
        for &(needle, bit) in &table[usize::from(first)] {
            // The second byte first: most candidates fail there, before
            // a call to compare the rest.
            let rest = &name[at..];
            if bits & bit == 0
                && rest.len() >= needle.len()
                && rest.get(1) == needle.get(1)
                && rest.starts_with(needle)
            {
                bits |= bit;
            }
        }
    }
    bits
}

/// Furniture and content evidence from an element's class and id names.
#[cfg(test)]
fn name_evidence(class_and_id: &str, memo: &mut NameMemo) -> (Option<Furniture>, bool) {
    let mut bits = 0;
    for name in class_and_id.split_ascii_whitespace() {
        bits |= memo.bits(name);
    }
    evidence_of_bits(bits)
}

/// Furniture and content evidence from the [`name_bits`] of all of an
/// element's class and id names.
fn evidence_of_bits(bits: u8) -> (Option<Furniture>, bool) {
    let strict = bits & NAME_STRICT != 0;
    let weak = bits & NAME_WEAK != 0;
    let soft = bits & NAME_SOFT != 0;
    let content = bits & NAME_CONTENT != 0;
    let furniture = if strict || (weak && !content) {
        Some(Furniture::Hard)
    } else if soft || weak {
        Some(Furniture::Soft)
    } else {
        None
    };
    (furniture, content)
}

/// What one class or id name says, as bits ([`name_bits`]).
const NAME_STRICT: u8 = 1;
const NAME_WEAK: u8 = 2;
const NAME_SOFT: u8 = 4;
const NAME_CONTENT: u8 = 8;

/// [`name_bits`] of the names seen so far on the page. Pages repeat their
/// class names on every menu item and card, and the substring patterns are
/// the costly part of reading them.
#[derive(Default)]
struct NameMemo {
    /// By a 64-bit hash of the lower-cased name.
    bits: PrehashedMap<u8>,
}

impl NameMemo {
    fn bits(&mut self, name: &str) -> u8 {
        // FNV-1a over the lower-cased bytes.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &c in name.as_bytes() {
            hash = (hash ^ u64::from(c.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
        }
        *self
            .bits
            .entry(hash)
            .or_insert_with(|| name_bits(&name.to_ascii_lowercase()))
    }
}

/// What one lower-cased class or id name says: furniture words (strict,
/// weak, soft) and content words, as whole tokens or inside compounds.
fn name_bits(name: &str) -> u8 {
    let substrings = substring_bits(name.as_bytes());
    let mut bits = substrings & NAME_CONTENT;
    // "has-sidebar", "sidebar-enabled--false", "no-comments": names that
    // describe the page's layout or state, not the element's role.
    // WordPress's editor names every list in a post this way.
    let describes_state = describes_state(name) || name == "wp-block-list";
    let tokens = tokens_by_hash();
    for token in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let Some(&(word, token_bits)) = tokens.get(&fnv(token.as_bytes())) else {
            continue;
        };
        if word != token {
            continue;
        }
        bits |= token_bits & NAME_CONTENT;
        if !describes_state {
            bits |= token_bits & !NAME_CONTENT;
        }
    }
    if !describes_state {
        bits |= substrings & (NAME_STRICT | NAME_WEAK);
    }
    bits
}

/// FNV-1a of a name or token.
fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in bytes {
        hash = (hash ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The token lists by hash, each token with its bits: the content bit,
/// and the first of strict, weak and soft whose list holds it. A name's
/// tokens are looked up once each instead of compared with every list.
fn tokens_by_hash() -> &'static PrehashedMap<(&'static str, u8)> {
    static MAP: OnceLock<PrehashedMap<(&'static str, u8)>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: PrehashedMap<(&'static str, u8)> = PrehashedMap::default();
        // Strict first: a token on two furniture lists takes the first.
        for (list, bit) in [
            (CONTENT_TOKENS, NAME_CONTENT),
            (STRICT_TOKENS, NAME_STRICT),
            (WEAK_TOKENS, NAME_WEAK),
            (SOFT_TOKENS, NAME_SOFT),
        ] {
            for &token in list {
                // No two tokens share a hash (a test checks).
                let entry = map.entry(fnv(token.as_bytes())).or_insert((token, 0));
                let furniture = entry.1 & !NAME_CONTENT;
                if bit == NAME_CONTENT || furniture == 0 {
                    entry.1 |= bit;
                }
            }
        }
        map
    })
}

/// A name that starts with a state prefix ("has-", "no_") or ends with a
/// state suffix ("-enabled", "_off").
fn describes_state(name: &str) -> bool {
    // The words hold no dash: the prefix is what comes before the first
    // dash or underscore, the suffix what comes after the last.
    let is_dash = |c: char| matches!(c, '-' | '_');
    let (Some(first), Some(last)) = (name.find(is_dash), name.rfind(is_dash)) else {
        return false;
    };
    matches!(
        &name[..first],
        "has" | "no" | "with" | "without" | "show" | "hide" | "is" | "enable" | "disable"
    ) || matches!(
        &name[last + 1..],
        "enabled"
            | "disabled"
            | "active"
            | "inactive"
            | "false"
            | "true"
            | "open"
            | "closed"
            | "none"
            | "off"
            | "on"
    )
}

struct Facts {
    hidden: bool,
    furniture: Option<Furniture>,
    content_name: bool,
    semantic: bool,
    article_body: bool,
    local_link: bool,
}

/// Everything the extractor reads from an element's attributes, in one pass
/// over them.
fn element_facts(el: &dom_query::Element, tag: Tag, memo: &mut NameMemo) -> Facts {
    let mut hidden = false;
    // What the class and id names say, each name read from the memo.
    let mut name_bits = 0;
    let mut role_furniture = false;
    let mut role_main = false;
    let mut article_body = false;
    let mut local_link = false;
    let mut hidden_attr = false;
    let mut streamed_segment = false;
    for attr in &el.attrs {
        let value: &str = &attr.value;
        match &*attr.name.local {
            "class" => {
                for class in value.split_ascii_whitespace() {
                    // Whole class names only: "elementor-hidden-tablet" is
                    // shown on desktops.
                    hidden |= matches!(
                        class,
                        "hidden"
                            | "d-none"
                            | "sr-only"
                            | "screen-reader-text"
                            | "visually-hidden"
                            | "hide"
                    );
                    name_bits |= memo.bits(class);
                }
            }
            "id" => {
                for name in value.split_ascii_whitespace() {
                    name_bits |= memo.bits(name);
                }
                streamed_segment = value.starts_with("S:");
            }
            "hidden" => hidden_attr = true,
            "aria-hidden" => hidden |= value.trim().eq_ignore_ascii_case("true"),
            "style" => hidden |= style_hides(value),
            "role" => {
                role_main = value == "main";
                role_furniture = matches!(
                    value,
                    "navigation"
                        | "banner"
                        | "contentinfo"
                        | "complementary"
                        | "dialog"
                        | "alert"
                        | "menu"
                        | "menubar"
                        | "toolbar"
                        | "search"
                        | "tooltip"
                );
            }
            "itemprop" => article_body = value.eq_ignore_ascii_case("articlebody"),
            "href" => local_link = tag == Tag::Anchor && value.starts_with('#'),
            _ => {}
        }
    }
    // Streamed server rendering sends late parts of the page as
    // `<div hidden id="S:n">` at the end of the body, for a script to move
    // into place: they are shown, only elsewhere.
    hidden |= hidden_attr && !streamed_segment;
    let (furniture, content_name) = evidence_of_bits(name_bits);
    Facts {
        hidden,
        furniture: if role_furniture {
            Some(Furniture::Hard)
        } else {
            furniture
        },
        content_name,
        semantic: article_body || role_main || matches!(tag, Tag::Article | Tag::Main),
        article_body,
        local_link,
    }
}

/// Whether an element's `style` attribute hides it (the extraction guard
/// drops the others before parsing).
pub(super) fn style_hides(style: &str) -> bool {
    // Matched as the style's characters stream by, white space skipped and
    // ASCII lower-cased: no copy of the style is made. A mismatch restarts
    // a needle at the current character, which is exact because neither
    // needle's first character occurs again in it.
    const NEEDLES: [&[u8]; 2] = [b"display:none", b"visibility:hidden"];
    let mut matched = [0usize; 2];
    for c in style.chars() {
        if c.is_whitespace() {
            continue;
        }
        let c = c.to_ascii_lowercase();
        for (needle, m) in NEEDLES.iter().zip(&mut matched) {
            if c == char::from(needle[*m]) {
                *m += 1;
                if *m == needle.len() {
                    return true;
                }
            } else {
                *m = usize::from(c == char::from(needle[0]));
            }
        }
    }
    false
}

/// Where the walk stands: the innermost enclosing structures that decide a
/// text run's kind, kept as counters so that leaving an element undoes them.
#[derive(Default)]
struct Context {
    link: u32,
    local_link: u32,
    heading: Vec<u8>,
    li: u32,
    quote: u32,
    pre: u32,
    caption: u32,
    cell: u32,
    rows: Vec<u32>,
    /// Open table cells, innermost last.
    cells: Vec<u32>,
    p: u32,
}

/// What a table's own cells hold, gathered while the table is open, to
/// tell a layout table (the page's columns: a navigation cell, a cell
/// holding the whole article) from a data table whose rows are records.
#[derive(Default)]
struct OpenTable {
    /// The table's own runs (not those of tables nested in it), with the
    /// cell holding each and the kind each would have outside a table.
    runs: Vec<(u32, u32, RawKind)>,
    /// A cell holds a table.
    layout: bool,
}

/// A run this long in a cell is an article, not a value in a record.
const LAYOUT_CELL_MIN_WORDS: u32 = 40;
/// A cell broken into this many runs holds a column of the page, not a
/// value.
const LAYOUT_CELL_MIN_RUNS: usize = 4;

struct Builder {
    outline: Outline,
    buf: String,
    chars: u32,
    link_chars: u32,
    local_link_chars: u32,
    pending_space: bool,
    /// Stack of open block-level elements (indices into `elems`).
    owners: Vec<u32>,
    ctx: Context,
    /// Open hidden block elements, outermost first.
    hidden_holders: Vec<u32>,
    /// Open tables, innermost last.
    tables: Vec<OpenTable>,
    names: NameMemo,
}

impl Builder {
    fn push_text(&mut self, text: &str) {
        let in_link = self.ctx.link > 0;
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&b) = bytes.get(at) {
            if b.is_ascii() {
                if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                    self.pending_space = true;
                    at += 1;
                } else if b < 0x20 || b == 0x7f {
                    at += 1;
                } else {
                    // A run of visible ASCII goes in at once, with the
                    // single spaces between its words: each would only
                    // have left a space pending for the next word.
                    let start = at;
                    let mut spaces = 0;
                    loop {
                        match bytes.get(at) {
                            Some(0x21..0x7f) => at += 1,
                            Some(b' ')
                                if bytes.get(at + 1).is_some_and(|c| (0x21..0x7f).contains(c)) =>
                            {
                                spaces += 1;
                                at += 1;
                            }
                            _ => break,
                        }
                    }
                    self.push_visible(&text[start..at], (at - start - spaces) as u32, in_link);
                }
                continue;
            }
            let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            let end = at + c.len_utf8();
            if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
                self.pending_space = true;
            } else if !c.is_control() {
                self.push_visible(&text[at..end], 1, in_link);
            }
            at = end;
        }
    }

    /// Appends visible text of `chars` characters, after the space that
    /// whitespace before it left pending.
    fn push_visible(&mut self, visible: &str, chars: u32, in_link: bool) {
        if self.pending_space && !self.buf.is_empty() {
            self.buf.push(' ');
        }
        self.pending_space = false;
        self.buf.push_str(visible);
        self.chars += chars;
        if in_link {
            self.link_chars += chars;
            if self.ctx.local_link > 0 {
                self.local_link_chars += chars;
            }
        }
    }

    /// The run's kind, and the kind it has when its table turns out to be
    /// the page's layout rather than data.
    fn kind(&self) -> (RawKind, RawKind) {
        let outside_table = self.kind_outside_table();
        if self.ctx.cell > 0 && matches!(outside_table, RawKind::Paragraph | RawKind::Loose) {
            (RawKind::Cell, outside_table)
        } else {
            (outside_table, outside_table)
        }
    }

    fn kind_outside_table(&self) -> RawKind {
        let owner_tag = self
            .owners
            .last()
            .and_then(|&o| self.outline.elems.get(o as usize))
            .map(|e| e.tag);
        if let Some(&level) = self.ctx.heading.last() {
            RawKind::Heading(level)
        } else if self.ctx.pre > 0 {
            RawKind::Pre
        } else if self.ctx.caption > 0 {
            RawKind::Caption
        } else if self.ctx.quote > 0 {
            RawKind::Quote
        } else if self.ctx.li > 0 {
            RawKind::ListItem
        } else if self.ctx.p > 0 || matches!(owner_tag, Some(Tag::Dd | Tag::Dt)) {
            RawKind::Paragraph
        } else {
            RawKind::Loose
        }
    }

    fn flush(&mut self) {
        if self.chars > 0 {
            let text = std::mem::take(&mut self.buf);
            let words = count_words(&text);
            let (kind, kind_outside_table) = self.kind();
            if let (Some(table), Some(&cell)) = (self.tables.last_mut(), self.ctx.cells.last()) {
                let index = self.outline.blocks.len() as u32;
                table.runs.push((index, cell, kind_outside_table));
            }
            let block = RawBlock {
                owner: self.owners.last().copied().unwrap_or(0),
                row: self.ctx.rows.last().copied().unwrap_or(NONE),
                kind,
                text,
                chars: self.chars,
                link_chars: self.link_chars,
                local_link_chars: self.local_link_chars,
                words,
                hidden: !self.hidden_holders.is_empty(),
                hidden_holder: self.hidden_holders.first().copied().unwrap_or(NONE),
                in_list: self.ctx.li > 0,
            };
            self.outline.blocks.push(block);
        } else {
            self.buf.clear();
        }
        self.chars = 0;
        self.link_chars = 0;
        self.local_link_chars = 0;
        self.pending_space = false;
    }

    fn enter(&mut self, tag: Tag, idx: u32) {
        match tag {
            Tag::Anchor => self.ctx.link += 1,
            Tag::LocalAnchor => {
                self.ctx.link += 1;
                self.ctx.local_link += 1;
            }
            Tag::Heading(l) => self.ctx.heading.push(l),
            Tag::Li | Tag::Dt | Tag::Dd => self.ctx.li += 1,
            Tag::Blockquote => self.ctx.quote += 1,
            Tag::Pre => self.ctx.pre += 1,
            Tag::Figcaption => self.ctx.caption += 1,
            Tag::Cell => {
                self.ctx.cell += 1;
                self.ctx.cells.push(idx);
            }
            Tag::Table => {
                // A table inside a cell makes the cell a column of the page.
                if let Some(outer) = self.tables.last_mut().filter(|_| self.ctx.cell > 0) {
                    outer.layout = true;
                }
                self.tables.push(OpenTable::default());
            }
            Tag::Tr => self.ctx.rows.push(idx),
            Tag::P => self.ctx.p += 1,
            _ => {}
        }
    }

    fn leave(&mut self, tag: Tag) {
        match tag {
            Tag::Anchor => self.ctx.link = self.ctx.link.saturating_sub(1),
            Tag::LocalAnchor => {
                self.ctx.link = self.ctx.link.saturating_sub(1);
                self.ctx.local_link = self.ctx.local_link.saturating_sub(1);
            }
            Tag::Heading(_) => {
                self.ctx.heading.pop();
            }
            Tag::Li | Tag::Dt | Tag::Dd => self.ctx.li = self.ctx.li.saturating_sub(1),
            Tag::Blockquote => self.ctx.quote = self.ctx.quote.saturating_sub(1),
            Tag::Pre => self.ctx.pre = self.ctx.pre.saturating_sub(1),
            Tag::Figcaption => self.ctx.caption = self.ctx.caption.saturating_sub(1),
            Tag::Cell => {
                self.ctx.cell = self.ctx.cell.saturating_sub(1);
                self.ctx.cells.pop();
            }
            Tag::Table => self.close_table(),
            Tag::Tr => {
                self.ctx.rows.pop();
            }
            Tag::P => self.ctx.p = self.ctx.p.saturating_sub(1),
            _ => {}
        }
    }
}

impl Builder {
    /// A layout table's cells are walked as plain containers: their runs
    /// lose the row that would join them into one " | " line.
    fn close_table(&mut self) {
        let Some(table) = self.tables.pop() else {
            return;
        };
        let blocks = &self.outline.blocks;
        let chars_of = |index: u32| blocks.get(index as usize).map_or(0, |b| b.chars);
        let table_chars: u32 = table.runs.iter().map(|r| chars_of(r.0)).sum();
        // The page's article column: one cell with most of the table's
        // text, as a long run or as several blocks. Data tables spread
        // their text over many cells, even when some are long.
        let article_cell = table.runs.chunk_by(|a, b| a.1 == b.1).any(|runs| {
            let chars: u32 = runs.iter().map(|r| chars_of(r.0)).sum();
            let long_run = runs.iter().any(|r| {
                blocks
                    .get(r.0 as usize)
                    .is_some_and(|b| b.words >= LAYOUT_CELL_MIN_WORDS)
            });
            // Lists keep their items apart in any table; paragraphs and
            // lines are what a data cell does not break into.
            let paragraphs = runs
                .iter()
                .filter(|r| matches!(r.2, RawKind::Paragraph | RawKind::Loose))
                .count();
            chars * 2 >= table_chars && (long_run || paragraphs >= LAYOUT_CELL_MIN_RUNS)
        });
        if !(table.layout || article_cell) {
            return;
        }
        for (index, _, kind) in table.runs {
            if let Some(b) = self.outline.blocks.get_mut(index as usize) {
                b.kind = kind;
                b.row = NONE;
            }
        }
    }
}

enum Step {
    Enter(NodeId),
    /// Leaving an element: its index in `elems` when it was recorded as a
    /// block-level element, its tag, and whether it was hidden.
    Leave(Option<u32>, Tag, bool),
}

/// Walks the document once (explicit stack, no recursion) into an outline.
pub fn outline(doc: &Document, max_nodes: usize) -> Outline {
    let tree = &doc.tree;
    let mut b = Builder {
        outline: Outline::default(),
        buf: String::new(),
        chars: 0,
        link_chars: 0,
        local_link_chars: 0,
        pending_space: false,
        owners: Vec::new(),
        ctx: Context::default(),
        hidden_holders: Vec::new(),
        tables: Vec::new(),
        names: NameMemo::default(),
    };
    // The document node stands as element 0 so every block has an owner.
    b.outline.elems.push(Elem {
        parent: NONE,
        tag: Tag::Other,
        furniture: None,
        content_name: false,
        semantic: false,
        article_body: false,
        first_block: 0,
        end_block: 0,
    });
    b.owners.push(0);
    let mut stack: Vec<Step> = Vec::new();
    let root = doc.root();
    push_children(&root, &mut stack);
    let mut visited = 0usize;
    while let Some(step) = stack.pop() {
        match step {
            Step::Leave(idx, tag, hidden) => {
                // The run closes before its context is left, so its kind
                // still sees the heading or list item it sat in.
                if idx.is_some() {
                    b.flush();
                }
                if hidden {
                    b.hidden_holders.pop();
                }
                b.leave(tag);
                if let Some(i) = idx {
                    b.owners.pop();
                    let end = b.outline.blocks.len() as u32;
                    if let Some(e) = b.outline.elems.get_mut(i as usize) {
                        e.end_block = end;
                    }
                }
            }
            Step::Enter(id) => {
                visited += 1;
                if visited > max_nodes {
                    break;
                }
                let node = NodeRef::new(id, tree);
                enum Seen {
                    Element {
                        tag: Tag,
                        display: Display,
                        hidden: bool,
                        furniture: Option<Furniture>,
                        content_name: bool,
                        semantic: bool,
                        article_body: bool,
                    },
                    Nothing,
                }
                let seen = node
                    .query(|tn| match &tn.data {
                        NodeData::Text { contents } => {
                            b.push_text(contents);
                            Seen::Nothing
                        }
                        NodeData::Element(el) => {
                            let (tag, display) = classify(&el.name.local);
                            if matches!(display, Display::Skip) {
                                return Seen::Nothing;
                            }
                            let facts = element_facts(el, tag, &mut b.names);
                            Seen::Element {
                                tag: if facts.local_link {
                                    Tag::LocalAnchor
                                } else {
                                    tag
                                },
                                display,
                                hidden: facts.hidden,
                                furniture: facts.furniture,
                                content_name: facts.content_name,
                                semantic: facts.semantic,
                                article_body: facts.article_body,
                            }
                        }
                        _ => Seen::Nothing,
                    })
                    .unwrap_or(Seen::Nothing);
                match seen {
                    Seen::Nothing => {}
                    Seen::Element {
                        tag,
                        display,
                        hidden,
                        furniture,
                        content_name,
                        semantic,
                        article_body,
                    } => {
                        if hidden && !matches!(display, Display::Block) {
                            continue;
                        }
                        match display {
                            Display::Skip => {}
                            Display::LineBreak => b.flush(),
                            Display::Inline => {
                                b.enter(tag, NONE);
                                stack.push(Step::Leave(None, tag, false));
                                push_children(&node, &mut stack);
                            }
                            Display::Block => {
                                b.flush();
                                let idx = b.outline.elems.len() as u32;
                                let parent = b.owners.last().copied().unwrap_or(NONE);
                                let first = b.outline.blocks.len() as u32;
                                b.outline.elems.push(Elem {
                                    parent,
                                    tag,
                                    furniture,
                                    content_name,
                                    semantic,
                                    article_body,
                                    first_block: first,
                                    end_block: first,
                                });
                                b.owners.push(idx);
                                b.enter(tag, idx);
                                if hidden {
                                    b.hidden_holders.push(idx);
                                }
                                stack.push(Step::Leave(Some(idx), tag, hidden));
                                push_children(&node, &mut stack);
                            }
                        }
                    }
                }
            }
        }
    }
    b.flush();
    let end = b.outline.blocks.len() as u32;
    // Elements left open (the document node, or all those open when the
    // node limit stopped the walk) close at the end.
    for &o in &b.owners {
        if let Some(e) = b.outline.elems.get_mut(o as usize) {
            e.end_block = end;
        }
    }
    b.outline
}

/// Words: runs of letters and digits.
fn count_words(text: &str) -> u32 {
    let mut words = 0;
    let mut in_word = false;
    let mut count = |alphanumeric: bool| {
        if alphanumeric && !in_word {
            words += 1;
        }
        in_word = alphanumeric;
    };
    if text.is_ascii() {
        text.bytes().for_each(|b| count(b.is_ascii_alphanumeric()));
    } else {
        text.chars().for_each(|c| count(c.is_alphanumeric()));
    }
    words
}

fn push_children(node: &NodeRef<'_>, stack: &mut Vec<Step>) {
    for child in node.children_it(true) {
        stack.push(Step::Enter(child.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_id_evidence() {
        use Furniture::{Hard, Soft};
        let rows: &[(&str, Option<Furniture>, bool)] = &[
            ("", None, false),
            ("entry-content", None, true),
            ("share-bar", Some(Hard), false),
            ("post-share", Some(Hard), true),
            ("related-posts", Some(Hard), false),
            ("site-footer", Some(Hard), false),
            ("entry-footer", Some(Soft), true),
            ("content-nav-section", Some(Soft), true),
            ("teaser", Some(Soft), false),
            (
                "elementor-widget elementor-widget-theme-post-content",
                Some(Soft),
                true,
            ),
            ("page has-sidebar", None, false),
            ("sidebar-enabled--false content", None, true),
            ("comments", Some(Hard), false),
            ("newsletter-signup", Some(Hard), false),
            ("partner-cta-list__box", Some(Hard), false),
            ("wp-block-cta", Some(Hard), false),
            ("footnotes", Some(Hard), false),
            ("wp-block-list", None, false),
            ("widget-list", Some(Soft), false),
        ];
        for (names, furniture, content) in rows {
            let mut memo = NameMemo::default();
            let got = name_evidence(names, &mut memo);
            assert_eq!(got, (*furniture, *content), "{names:?}");
            // Read again, from the memo.
            assert_eq!(name_evidence(names, &mut memo), got, "{names:?}");
        }
    }

    /// The name reading as it was written first, with a regex per list of
    /// substrings and a `matches!` per list of tokens.
    fn name_bits_by_regex(name: &str) -> u8 {
        let alternation = |list: &[&str]| regex::Regex::new(&list.join("|")).unwrap();
        let state = regex::Regex::new(
            "^(has|no|with|without|show|hide|is|enable|disable)[-_]|[-_](enabled|disabled|active|inactive|false|true|open|closed|none|off|on)$",
        )
        .unwrap();
        let mut bits = 0;
        if alternation(CONTENT_SUBSTRINGS).is_match(name) {
            bits |= NAME_CONTENT;
        }
        let describes_state = state.is_match(name) || name == "wp-block-list";
        for token in name.split(|c: char| !c.is_ascii_alphanumeric()) {
            if CONTENT_TOKENS.contains(&token) {
                bits |= NAME_CONTENT;
            }
            if describes_state {
                continue;
            }
            if STRICT_TOKENS.contains(&token) {
                bits |= NAME_STRICT;
            } else if WEAK_TOKENS.contains(&token) {
                bits |= NAME_WEAK;
            } else if SOFT_TOKENS.contains(&token) {
                bits |= NAME_SOFT;
            }
        }
        if !describes_state {
            if alternation(STRICT_SUBSTRINGS).is_match(name) {
                bits |= NAME_STRICT;
            }
            if alternation(WEAK_SUBSTRINGS).is_match(name) {
                bits |= NAME_WEAK;
            }
        }
        bits
    }

    #[test]
    fn name_bits_agree_with_the_lists_read_one_by_one() {
        let lists = [
            STRICT_TOKENS,
            WEAK_TOKENS,
            SOFT_TOKENS,
            CONTENT_TOKENS,
            STRICT_SUBSTRINGS,
            WEAK_SUBSTRINGS,
            CONTENT_SUBSTRINGS,
        ];
        let mut names: Vec<String> = lists
            .iter()
            .flat_map(|l| l.iter())
            .map(|w| w.to_string())
            .collect();
        let words = names.clone();
        for (i, a) in words.iter().enumerate() {
            let b = &words[(i * 7 + 3) % words.len()];
            names.push(format!("{a}-{b}"));
            names.push(format!("{a}{b}"));
            names.push(format!("has-{a}"));
            names.push(format!("{a}_off"));
            names.push(format!("x{a}"));
            names.push(a[..a.len() - 1].to_string());
        }
        names.extend(
            [
                "",
                "-",
                "on",
                "has",
                "has-",
                "-on",
                "is_",
                "sidebar-enabled--false",
                "wp-block-list",
                "no-comments",
                "entry-content",
                "post-share",
                "élément-share",
                "ne",
                "show-more-none",
            ]
            .map(String::from),
        );
        for name in &names {
            assert_eq!(name_bits(name), name_bits_by_regex(name), "{name:?}");
        }
        // Every token finds itself in the map.
        for list in &lists[..4] {
            for token in *list {
                assert_eq!(
                    tokens_by_hash().get(&fnv(token.as_bytes())).map(|e| e.0),
                    Some(*token)
                );
            }
        }
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let rows: &[(&str, u32)] = &[
            ("", 0),
            ("one", 1),
            ("  two words ", 2),
            ("it's 9-to-5, U.S.", 7),
            ("Zoë’s café, 2024", 4),
            ("— …", 0),
        ];
        for (text, want) in rows {
            assert_eq!(count_words(text), *want, "{text:?}");
        }
    }

    #[test]
    fn hidden_styles() {
        assert!(style_hides("display: none"));
        assert!(style_hides("color:red; DISPLAY:NONE !important"));
        assert!(style_hides("visibility : hidden"));
        assert!(!style_hides("display: block"));
        assert!(style_hides("ddisplay:display: none"));
        assert!(style_hides("visibility:visibility:hidden"));
        assert!(!style_hides("display:nun; visibility:visible"));
        // As the style read with its white space taken out.
        let compacted = |style: &str| {
            let compact: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            compact.contains("display:none") || compact.contains("visibility:hidden")
        };
        for style in [
            "",
            "display:",
            "DISPLAY : NO NE",
            "display:nonedisplay",
            "dis play:none",
            "display:nondisplay:none",
            "visibility:hiddeN",
            "visibilityvisibility:hidden",
            "display:\u{a0}none",
            "ｄisplay:none",
            "displayé:none",
        ] {
            assert_eq!(style_hides(style), compacted(style), "{style:?}");
        }
    }

    #[test]
    fn text_runs_collapse_white_space_and_count_visible_characters() {
        let rows: &[(&str, &str, u32)] = &[
            ("<p>one two  three</p>", "one two three", 11),
            ("<p> lead\tand\n trail </p>", "lead and trail", 12),
            ("<p>a b<b> c</b>d e</p>", "a b cd e", 5),
            ("<p>x \u{a0}y caf\u{e9} z</p>", "x y caf\u{e9} z", 7),
            ("<p>ctl\u{1}x</p>", "ctlx", 4),
        ];
        for (html, text, chars) in rows {
            let outline = outline(&Document::from(*html), 1000);
            let run = &outline.blocks[0];
            assert_eq!((run.text.as_str(), run.chars), (*text, *chars), "{html:?}");
        }
    }

    #[test]
    fn runs_know_their_kind_links_and_rows() {
        let doc = Document::from(
            "<body><h2>Head</h2><p>One <a href=\"/x\">two</a> three</p>\
             <ul><li>item</li></ul><blockquote>said</blockquote>\
             <table><tr><td>a</td><td>b</td></tr></table>\
             <p><a href=\"#s1\">jump</a></p><div>loose<br>text</div></body>",
        );
        let o = outline(&doc, 10_000);
        let got: Vec<(RawKind, &str)> =
            o.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (RawKind::Heading(2), "Head"),
                (RawKind::Paragraph, "One two three"),
                (RawKind::ListItem, "item"),
                (RawKind::Quote, "said"),
                (RawKind::Cell, "a"),
                (RawKind::Cell, "b"),
                (RawKind::Paragraph, "jump"),
                (RawKind::Loose, "loose"),
                (RawKind::Loose, "text"),
            ]
        );
        assert_eq!(o.blocks[1].link_chars, 3);
        assert_eq!(o.blocks[4].row, o.blocks[5].row);
        assert_eq!(o.blocks[6].local_link_chars, 4);
        // Every element's runs are one contiguous range inside its parent's.
        for e in &o.elems {
            assert!(e.first_block <= e.end_block);
            if let Some(p) = o.elems.get(e.parent as usize) {
                assert!(p.first_block <= e.first_block && e.end_block <= p.end_block);
            }
        }
    }
}
