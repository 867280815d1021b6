//! One speaker across articles: the key of a name.
//!
//! Each article names its actors in its own way ("President Trump",
//! "Donald J. Trump", "Mr Trump"). [`speaker_key`] reduces every name to a
//! key, and actors with equal keys are one speaker. It lives in the library,
//! not in the ledger, so that every writer of speaker keys (the ledger's two
//! backends, `whosaid export`, the Python package and its Spark job) computes
//! the same key from the same name:
//!
//! | name as written             | key              |
//! |-----------------------------|------------------|
//! | `President Trump`           | `trump`          |
//! | `Donald J. Trump`           | `donald trump`   |
//! | `Mr Trump`, `Trump's`       | `trump`          |
//! | `Russian President Vladimir Putin` | `vladimir putin` |
//! | `Secretary of State Jane Roe` | `jane roe`     |
//! | `Seán O'Brien`              | `seán o'brien`   |
//! | `Ursula von der Leyen`      | `ursula von_der_leyen` |
//! | `he`, `officials`, `a spokesperson`, `President` | none |
//!
//! The key is the name lower-cased (Unicode), with its diacritics kept,
//! punctuation dropped (apostrophes and hyphens inside a word kept: `o'brien`,
//! `ocasio-cortez`), surname particles joined to the surname with `_`
//! (`von_der_leyen`, so that "von der Leyen" is one surname, as "Leyen" is
//! not), a possessive `'s` removed, leading titles, honorifics and
//! qualifiers stripped repeatedly from a table (`Sen.`, `Secretary of State`,
//! `Russian`, `former`, `the` …), middle initials and trailing generational
//! suffixes (`Jr.`, `III`) dropped. A name that is a pronoun, that ends in a
//! generic noun (`officials`, `spokesperson`, `sources`) or that is nothing
//! but titles has no key: it names no one in particular.

/// Leading titles and honorifics, as word sequences of a key (already
/// lower-cased, punctuation dropped: `Lt. Col.` is `lt col`). The longest
/// phrase wins, so `secretary of state` is stripped whole. Words that also
/// begin organisation names ("General Motors", "Justice Department") are left
/// out unless abbreviated or part of a longer title.
const TITLES: &[&str] = &[
    // Honorifics.
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "reverend",
    "fr",
    "father",
    "sister",
    "rabbi",
    "imam",
    "sheikh",
    "hon",
    // Heads of state and government.
    "president",
    "president-elect",
    "vice president",
    "vice-president",
    "prime minister",
    "deputy prime minister",
    "chancellor",
    "premier",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "pope",
    "cardinal",
    "archbishop",
    "bishop",
    "ayatollah",
    "supreme leader",
    "first lady",
    "crown prince",
    // Legislators and officials.
    "senator",
    "sen",
    "sens",
    "representative",
    "rep",
    "reps",
    "congressman",
    "congresswoman",
    "house speaker",
    "majority leader",
    "minority leader",
    "senate majority leader",
    "senate minority leader",
    "governor",
    "gov",
    "lieutenant governor",
    "lt gov",
    "mayor",
    "councilman",
    "councilwoman",
    "councillor",
    "councilor",
    "alderman",
    "assemblyman",
    "assemblywoman",
    "minister",
    "foreign minister",
    "defense minister",
    "defence minister",
    "finance minister",
    "interior minister",
    "secretary",
    "secretary of state",
    "secretary-general",
    "secretary general",
    "attorney general",
    "attorney-general",
    "ambassador",
    "commissioner",
    "chairman",
    "chairwoman",
    "judge",
    "chief justice",
    "sheriff",
    "press secretary",
    "envoy",
    "special counsel",
    "treasury secretary",
    "defense secretary",
    "health secretary",
    "home secretary",
    "foreign secretary",
    "national security adviser",
    "national security advisor",
    // Military and police ranks.
    "gen",
    "lt gen",
    "lieutenant general",
    "maj gen",
    "major general",
    "brig gen",
    "brigadier general",
    "col",
    "colonel",
    "lt col",
    "lieutenant colonel",
    "maj",
    "capt",
    "captain",
    "lt",
    "lieutenant",
    "sgt",
    "sergeant",
    "adm",
    "admiral",
    "cmdr",
    "commander",
    "cpl",
    "corporal",
    "pvt",
    "detective",
    "inspector",
    "marshal",
    "field marshal",
    "police chief",
    "fire chief",
];

/// Words that qualify a title ("Russian President", "former Sen."): stripped
/// only when a title follows, so "American Airlines" keeps its first word.
const QUALIFIERS: &[&str] = &[
    "former",
    "ex",
    "then",
    "acting",
    "interim",
    "deputy",
    "vice",
    "senior",
    "incoming",
    "outgoing",
    "late",
    "us",
    "u s",
    "american",
    "russian",
    "chinese",
    "french",
    "german",
    "british",
    "ukrainian",
    "israeli",
    "palestinian",
    "iranian",
    "indian",
    "japanese",
    "korean",
    "north korean",
    "south korean",
    "turkish",
    "italian",
    "spanish",
    "canadian",
    "mexican",
    "brazilian",
    "australian",
    "saudi",
    "egyptian",
    "syrian",
    "iraqi",
    "afghan",
    "pakistani",
    "polish",
    "hungarian",
    "dutch",
    "belgian",
    "swedish",
    "norwegian",
    "danish",
    "finnish",
    "irish",
    "scottish",
    "welsh",
    "greek",
    "european",
    "eu",
    "un",
    "republican",
    "democratic",
    "democrat",
    "gop",
    "labour",
    "conservative",
    "federal",
    "state",
    "white house",
];

/// Articles and determiners, stripped wherever they lead.
const DETERMINERS: &[&str] = &["the", "a", "an"];

/// Surname particles: joined to the word after them with `_` (a character
/// no key otherwise holds), so that "von der Leyen" is one surname word.
const PARTICLES: &[&str] = &[
    "von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "le", "la",
    "ter", "ten", "bin", "ibn", "zu", "af",
];

/// Trailing generational suffixes, dropped so `Martin Luther King Jr.` has
/// the surname `king`.
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "esq", "phd", "md"];

/// Pronouns: never anyone in particular, however they are written.
const PRONOUNS: &[&str] = &[
    "i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "one",
    "someone", "somebody", "anyone", "everyone", "nobody", "who", "this", "that", "these", "those",
];

/// The generic nouns a speaker phrase ends in ("officials", "a
/// spokesperson"): no one in particular when written in lower case or alone,
/// but part of a proper name when capitalised after other words ("Wagner
/// Group", "Metropolitan Police").
const GENERIC_NOUNS: &[&str] = &[
    "official",
    "officials",
    "spokesperson",
    "spokespeople",
    "spokesman",
    "spokesmen",
    "spokeswoman",
    "spokeswomen",
    "representative",
    "representatives",
    "source",
    "sources",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "critic",
    "critics",
    "observer",
    "observers",
    "people",
    "person",
    "resident",
    "residents",
    "witness",
    "witnesses",
    "aide",
    "aides",
    "authorities",
    "police",
    "report",
    "reports",
    "statement",
    "study",
    "survey",
    "poll",
    "researchers",
    "scientists",
    "lawmakers",
    "legislators",
    "leaders",
    "members",
    "others",
    "insiders",
    "diplomats",
    "investigators",
    "prosecutors",
    "lawyers",
    "attorneys",
    "voters",
    "supporters",
    "opponents",
    "protesters",
    "activists",
    "doctors",
    "economists",
    "staff",
    "staffers",
    "group",
    "groups",
    "president",
    "minister",
    "secretary",
    "senator",
    "director",
    "governor",
    "mayor",
    "official's",
];

/// The cross-article key of an actor's name, or `None` when the name names no
/// one in particular (a pronoun, a generic noun, titles alone). See the
/// module documentation for the rule.
pub fn speaker_key(name: &str) -> Option<String> {
    let mut words = name_words(name);
    strip_titles(&mut words);
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    // Middle initials only: a leading initial ("J. Smith") still tells two
    // Smiths apart, and a lone letter at the end is a surname.
    if words.len() > 2 {
        let last = words.len() - 1;
        let mut i = 0;
        words.retain(|w| {
            let keep = i == 0 || i == last || w.chars().count() > 1;
            i += 1;
            keep
        });
    }
    let words = join_particles(words);
    let last = words.last()?;
    if PRONOUNS.contains(&last.as_str()) {
        return None;
    }
    if GENERIC_NOUNS.contains(&last.as_str())
        && (words.len() == 1 || !last_word_is_capitalised(name))
    {
        return None;
    }
    Some(words.join(" "))
}

/// Whether the name's last word, as written, begins with a capital letter.
fn last_word_is_capitalised(name: &str) -> bool {
    name.split_whitespace()
        .rev()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| !w.is_empty())
        .and_then(|w| w.chars().next())
        .is_some_and(char::is_uppercase)
}

/// Joins each run of particles to the word that follows it
/// (`ursula von der leyen` → `ursula von_der_leyen`).
fn join_particles(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut pending: Vec<String> = Vec::new();
    for word in words {
        if PARTICLES.contains(&word.as_str()) {
            pending.push(word);
        } else {
            pending.push(word);
            out.push(pending.join("_"));
            pending.clear();
        }
    }
    // Trailing particles have nothing to join: kept as words.
    out.extend(pending);
    out
}

/// The last word of a key: the surname a one-word key is compared with.
pub fn last_word(key: &str) -> &str {
    key.rsplit(' ').next().unwrap_or(key)
}

/// Whether a key is a single word (a bare surname or a mononym).
pub fn is_single_word(key: &str) -> bool {
    !key.contains(' ')
}

/// The name as lower-cased words: apostrophes and hyphens kept inside a
/// word (curly apostrophes made straight), a possessive `'s` removed, every
/// other non-letter a separator.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = name.chars().peekable();
    let mut push = |word: &mut String| {
        let w = word.trim_end_matches(['\'', '-']);
        let w = w.strip_suffix("'s").unwrap_or(w);
        let w = w.trim_matches(['\'', '-']);
        if !w.is_empty() {
            words.push(w.to_string());
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        let c = if matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}') {
            '\''
        } else {
            c
        };
        let joiner = matches!(c, '\'' | '-' | '\u{2010}' | '\u{2011}');
        if c.is_alphanumeric() || is_combining_mark(c) {
            word.extend(c.to_lowercase());
        } else if joiner && !word.is_empty() && chars.peek().is_some_and(|n| n.is_alphanumeric()) {
            word.push(if c == '\'' { '\'' } else { '-' });
        } else if c == '\'' && word.ends_with('s') && !word.is_empty() {
            // "the Joneses' lawyer": a plural possessive ends the word.
            push(&mut word);
        } else {
            push(&mut word);
        }
    }
    push(&mut word);
    words
}

/// Combining diacritics (decomposed accents), kept as part of a word.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Removes leading determiners and title phrases (with their qualifiers),
/// longest title first, repeatedly. When the name is nothing but titles
/// ("President", "the Secretary of State"), nothing is left and the name has
/// no key.
fn strip_titles(words: &mut Vec<String>) {
    let mut start = 0;
    loop {
        while start < words.len() && DETERMINERS.contains(&words[start].as_str()) {
            start += 1;
        }
        let mut title_at = start;
        while let Some(n) = longest_phrase(QUALIFIERS, &words[title_at..]) {
            title_at += n;
        }
        match longest_phrase(TITLES, &words[title_at..]) {
            Some(n) => start = title_at + n,
            None => break,
        }
    }
    words.drain(..start);
}

/// The length in words of the longest phrase of `table` that `words` begins
/// with.
fn longest_phrase(table: &[&str], words: &[String]) -> Option<usize> {
    table
        .iter()
        .filter_map(|phrase| {
            let mut n = 0;
            for part in phrase.split(' ') {
                if words.get(n).map(String::as_str) != Some(part) {
                    return None;
                }
                n += 1;
            }
            Some(n)
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Donald Trump", Some("donald trump")),
            ("President Trump", Some("trump")),
            ("Donald J. Trump", Some("donald trump")),
            ("Mr Trump", Some("trump")),
            ("Mr. Trump", Some("trump")),
            ("Trump's", Some("trump")),
            ("Trump’s", Some("trump")),
            ("President Donald Trump", Some("donald trump")),
            ("Former President Donald J. Trump", Some("donald trump")),
            ("Russian President Vladimir Putin", Some("vladimir putin")),
            ("Putin", Some("putin")),
            ("Sen. Jane Roe", Some("jane roe")),
            ("Senator Jane Roe", Some("jane roe")),
            ("Secretary of State Jane Roe", Some("jane roe")),
            ("Secretary Roe", Some("roe")),
            ("Lt. Col. John Doe Jr.", Some("john doe")),
            ("Gov. Ann Field", Some("ann field")),
            ("Rep. Ann Field", Some("ann field")),
            ("Prime Minister Ann Field", Some("ann field")),
            ("Chancellor Olaf Baum", Some("olaf baum")),
            ("Pope Clement", Some("clement")),
            ("Gen. Mark Hale", Some("mark hale")),
            ("Dr. Ada Quill", Some("ada quill")),
            ("Mrs. Quill", Some("quill")),
            ("Ms Quill", Some("quill")),
            ("Seán O'Brien", Some("seán o'brien")),
            ("Seán O’Brien", Some("seán o'brien")),
            ("Alexandria Ocasio-Cortez", Some("alexandria ocasio-cortez")),
            ("ÉMILE ZOLA", Some("émile zola")),
            ("Ursula von der Leyen", Some("ursula von_der_leyen")),
            ("von der Leyen", Some("von_der_leyen")),
            ("Ms von der Leyen", Some("von_der_leyen")),
            ("Marine Le Pen", Some("marine le_pen")),
            ("Robert De Niro", Some("robert de_niro")),
            (
                "Luiz Inácio Lula da Silva",
                Some("luiz inácio lula da_silva"),
            ),
            ("Smith de", Some("smith de")),
            ("de la", Some("de la")),
            ("J. K. Rowan", Some("j rowan")),
            ("J.K. Rowan", Some("j rowan")),
            ("Martin Luther King Jr.", Some("martin luther king")),
            ("the White House", Some("white house")),
            ("American Airlines", Some("american airlines")),
            ("General Motors", Some("general motors")),
            ("the Justice Department", Some("justice department")),
            ("White House Press Secretary Kay Lane", Some("kay lane")),
            ("The Kremlin", Some("kremlin")),
            ("he", None),
            ("She", None),
            ("they", None),
            ("officials", None),
            ("U.S. officials", None),
            ("a spokesperson", None),
            ("A senior official", None),
            ("a government spokesperson", None),
            ("Officials", None),
            ("Kremlin officials", None),
            ("the advocacy group", None),
            ("Wagner Group", Some("wagner group")),
            ("the Metropolitan Police", Some("metropolitan police")),
            ("President", None),
            ("the Secretary of State", None),
            ("", None),
            ("  ...  ", None),
            ("\"", None),
        ];
        for (name, want) in cases {
            assert_eq!(speaker_key(name).as_deref(), *want, "speaker_key({name:?})");
        }
    }

    #[test]
    fn president_trump_donald_trump_and_mr_trump_share_a_surname() {
        for name in [
            "President Trump",
            "Mr Trump",
            "Trump",
            "Donald Trump",
            "Donald J. Trump",
        ] {
            assert_eq!(last_word(&speaker_key(name).unwrap()), "trump", "{name}");
        }
    }

    #[test]
    fn long_hostile_names_do_not_panic() {
        let long = "Sen. ".repeat(10_000) + "Roe";
        assert_eq!(speaker_key(&long).as_deref(), Some("roe"));
        assert_eq!(speaker_key("'''---'''").as_deref(), None);
        assert_eq!(
            speaker_key("\u{301}\u{301}").as_deref(),
            Some("\u{301}\u{301}")
        );
    }
}
