//! The records whosaid prints agree with `schema/record.schema.json`.
//!
//! Checked three ways: the binary's output on the example pages; records
//! built from the Rust types with every enum variant and optional part in
//! use; and hand-written JSON the schema must accept or reject.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use whosaid::record::{
    Actor, ActorKind, ActorSpan, Article, Attribution, AttributionKind, AuthorialKind,
    AuthorialSpan, Block, BlockKind, ContentSpan, CueSpan, Range, Record, Source, Stance, SCHEMA,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    let path = repo_root().join("schema/record.schema.json");
    let text = std::fs::read_to_string(&path).expect("reading the schema");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

fn whosaid(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("running whosaid");
    assert!(
        out.status.success(),
        "whosaid {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn cli_output_is_valid() {
    let validator = validator();
    let mut checked = 0;
    for line in whosaid(&["extract", "--format", "jsonl", "examples", "tests/data"]).lines() {
        let value: Value = serde_json::from_str(line).expect("a JSON line");
        assert_valid(&validator, &value["source"]["path"].to_string(), &value);
        let record: Record = serde_json::from_value(value).expect("a record");
        record.check_spans().expect("spans agree with the text");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} records");
    let demo: Value = serde_json::from_str(&whosaid(&["demo"])).expect("demo prints JSON");
    assert_valid(&validator, "demo", &demo);
}

/// A record using every optional part: a nested direct quote with a
/// discontinuous content, a resolved and an unresolved speaker, a cue, an
/// addressee, an "according to" with no cue, and the author's voice.
fn full_record() -> Record {
    let text = "\u{201c}It was, she said, \u{2018}fine,\u{2019} and it is,\u{201d} Ms Vance told reporters.\n\nThe bridge will reopen, according to the council.\n\nIs that likely?";
    let find = |needle: &str| -> (usize, usize) {
        let start = text.find(needle).expect("needle in text");
        (start, start + needle.len())
    };
    let span = |needle: &str| {
        let (start, end) = find(needle);
        (start, end, needle.to_string())
    };
    let (q_start, q_end, q_text) = span("It was, she said, \u{2018}fine,\u{2019} and it is,");
    let (a_start, _, _) = span("It was,");
    let (_, b_end, _) = span("\u{2018}fine,\u{2019} and it is,");
    let (b_start, _, _) = span("\u{2018}fine");
    let (n_start, n_end, n_text) = span("fine,");
    let (s_start, s_end, s_text) = span("Ms Vance");
    let (c_start, c_end, c_text) = span("told");
    let (r_start, r_end, r_text) = span("reporters");
    let (k_start, k_end, k_text) = span("The bridge will reopen");
    let (o_start, o_end, o_text) = span("the council");
    let (h_start, h_end, _) = span("Is that likely?");
    let paragraphs: Vec<Block> = text
        .split("\n\n")
        .scan(0, |at, p| {
            let start = *at;
            *at += p.len() + 2;
            Some(Block {
                kind: BlockKind::Paragraph,
                start,
                end: start + p.len(),
            })
        })
        .collect();
    Record {
        schema: SCHEMA.to_string(),
        source: Source {
            path: Some("hand-written".into()),
            record: Some("<urn:uuid:00000000-0000-0000-0000-000000000000>".into()),
            url: Some("https://news.example/bridge".into()),
            sha256: "0".repeat(64),
        },
        article: Article {
            title: Some("Bridge to reopen".into()),
            authors: vec!["A. Writer".into()],
            published: Some("2026-03-14T09:30:00+00:00".into()),
            site: Some("The Example".into()),
            language: Some("en".into()),
            text: text.to_string(),
            blocks: paragraphs,
        },
        actors: vec![
            Actor {
                id: 0,
                name: "Harriet Vance".into(),
                kind: ActorKind::Person,
                mentions: vec![Range {
                    start: s_start,
                    end: s_end,
                }],
            },
            Actor {
                id: 1,
                name: "Riverton Council".into(),
                kind: ActorKind::Organization,
                mentions: vec![Range {
                    start: o_start,
                    end: o_end,
                }],
            },
        ],
        attributions: vec![
            Attribution {
                id: 0,
                kind: AttributionKind::Direct,
                speaker: Some(ActorSpan {
                    start: s_start,
                    end: s_end,
                    text: s_text,
                    actor: Some(0),
                }),
                cue: Some(CueSpan {
                    start: c_start,
                    end: c_end,
                    text: c_text,
                    lemma: "tell".into(),
                }),
                addressee: Some(ActorSpan {
                    start: r_start,
                    end: r_end,
                    text: r_text,
                    actor: None,
                }),
                content: ContentSpan {
                    start: q_start,
                    end: q_end,
                    text: q_text,
                    spans: Some(vec![[a_start, a_start + "It was,".len()], [b_start, b_end]]),
                },
                stance: Stance::Asserts,
                parent: None,
            },
            Attribution {
                id: 1,
                kind: AttributionKind::Direct,
                speaker: None,
                cue: None,
                addressee: None,
                content: ContentSpan {
                    start: n_start,
                    end: n_end,
                    text: n_text,
                    spans: None,
                },
                stance: Stance::Asserts,
                parent: Some(0),
            },
            Attribution {
                id: 2,
                kind: AttributionKind::AccordingTo,
                speaker: Some(ActorSpan {
                    start: o_start,
                    end: o_end,
                    text: o_text,
                    actor: Some(1),
                }),
                cue: None,
                addressee: None,
                content: ContentSpan {
                    start: k_start,
                    end: k_end,
                    text: k_text,
                    spans: None,
                },
                stance: Stance::Reports,
                parent: None,
            },
        ],
        authorial: vec![AuthorialSpan {
            start: h_start,
            end: h_end,
            kind: AuthorialKind::Question,
        }],
        warnings: vec!["a warning".into()],
    }
}

#[test]
fn full_record_from_rust_types_is_valid() {
    let validator = validator();
    let record = full_record();
    record.check_spans().expect("hand-written spans are right");
    let value = serde_json::to_value(&record).expect("serialising");
    assert_valid(&validator, "full record", &value);
    // Round trip: what the schema accepts, the Rust types read back.
    let back: Record = serde_json::from_value(value).expect("deserialising");
    assert_eq!(back, record);
}

/// Every enum value the Rust types can print is one the schema allows, and
/// every value the schema allows is one the Rust types can read.
#[test]
fn enums_agree_with_the_rust_types() {
    let validator = validator();
    let base = serde_json::to_value(full_record()).expect("serialising");
    let mut variants: Vec<(&str, Value)> = Vec::new();
    for k in [
        BlockKind::Heading,
        BlockKind::Paragraph,
        BlockKind::Quote,
        BlockKind::ListItem,
    ] {
        variants.push(("/article/blocks/0/kind", json!(k)));
    }
    for k in [
        ActorKind::Person,
        ActorKind::Organization,
        ActorKind::Outlet,
        ActorKind::Group,
        ActorKind::Unknown,
    ] {
        variants.push(("/actors/0/kind", json!(k)));
    }
    for k in [
        AttributionKind::Direct,
        AttributionKind::Indirect,
        AttributionKind::Mixed,
        AttributionKind::AccordingTo,
        AttributionKind::Headline,
    ] {
        variants.push(("/attributions/0/kind", json!(k)));
    }
    for s in [
        Stance::Asserts,
        Stance::Denies,
        Stance::Believes,
        Stance::Doubts,
        Stance::Affirms,
        Stance::Reports,
        Stance::Intends,
    ] {
        variants.push(("/attributions/0/stance", json!(s)));
    }
    for k in [
        AuthorialKind::Opinion,
        AuthorialKind::Hedge,
        AuthorialKind::Question,
    ] {
        variants.push(("/authorial/0/kind", json!(k)));
    }
    for (pointer, value) in &variants {
        let mut record = base.clone();
        *record
            .pointer_mut(pointer)
            .expect("pointer into the record") = value.clone();
        assert_valid(&validator, &format!("{pointer} = {value}"), &record);
    }

    let schema = schema();
    let enums = [
        (
            "/properties/article/properties/blocks/items/properties/kind/enum",
            "/article/blocks/0/kind",
        ),
        (
            "/properties/actors/items/properties/kind/enum",
            "/actors/0/kind",
        ),
        (
            "/properties/attributions/items/properties/kind/enum",
            "/attributions/0/kind",
        ),
        (
            "/properties/attributions/items/properties/stance/enum",
            "/attributions/0/stance",
        ),
        (
            "/properties/authorial/items/properties/kind/enum",
            "/authorial/0/kind",
        ),
    ];
    for (schema_pointer, record_pointer) in enums {
        let allowed = schema
            .pointer(schema_pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no enum at {schema_pointer}"));
        let printed = variants
            .iter()
            .filter(|(p, _)| *p == record_pointer)
            .count();
        assert_eq!(
            allowed.len(),
            printed,
            "{schema_pointer}: the schema and the Rust enum differ in size"
        );
        for value in allowed {
            let mut record = base.clone();
            *record.pointer_mut(record_pointer).expect("pointer") = value.clone();
            serde_json::from_value::<Record>(record)
                .unwrap_or_else(|e| panic!("{record_pointer} = {value}: Rust rejects it: {e}"));
        }
    }
}

#[test]
fn schema_rejects_malformed_records() {
    let validator = validator();
    let base = serde_json::to_value(full_record()).expect("serialising");
    type Edit = fn(&mut Value);
    let edits: Vec<(&str, Edit)> = vec![
        ("wrong schema name", |r| r["schema"] = json!("whosaid/2")),
        ("missing article text", |r| {
            r["article"].as_object_mut().map(|a| a.remove("text"));
        }),
        ("unknown block kind", |r| {
            r["article"]["blocks"][0]["kind"] = json!("aside")
        }),
        ("unknown stance", |r| {
            r["attributions"][0]["stance"] = json!("says")
        }),
        ("negative offset", |r| {
            r["attributions"][0]["content"]["start"] = json!(-1)
        }),
        ("short sha256", |r| r["source"]["sha256"] = json!("abc")),
        ("date in words", |r| {
            r["article"]["published"] = json!("March 14, 2026")
        }),
        ("upper-case language", |r| {
            r["article"]["language"] = json!("EN")
        }),
        ("unknown field", |r| r["article"]["summary"] = json!("x")),
        ("span of three", |r| {
            r["attributions"][0]["content"]["spans"][0] = json!([1, 2, 3])
        }),
        ("authors not a list", |r| {
            r["article"]["authors"] = json!("A. Writer")
        }),
        ("missing parent", |r| {
            r["attributions"][0]
                .as_object_mut()
                .map(|a| a.remove("parent"));
        }),
    ];
    for (what, edit) in edits {
        let mut record = base.clone();
        edit(&mut record);
        assert!(
            !validator.is_valid(&record),
            "the schema accepts a record with {what}"
        );
    }
}

/// Every property name and closed set of values that the spec
/// (`../shared/spec/record.md`) shows is in the schema too. Skips, saying
/// so, when the spec is not there.
#[test]
fn schema_agrees_with_the_spec() {
    let path = repo_root().join("../shared/spec/record.md");
    let Ok(spec) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} is absent", path.display());
        return;
    };
    let Some(block) = spec
        .split("```jsonc")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
    else {
        panic!("no jsonc block in {}", path.display());
    };
    let schema = schema();
    let mut names = std::collections::BTreeSet::new();
    let mut enums: Vec<Vec<String>> = Vec::new();
    let mut stack = vec![&schema];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    names.extend(props.keys().cloned());
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    let mut set: Vec<String> = values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    set.sort();
                    enums.push(set);
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    let key = regex::Regex::new(r#""([a-z_0-9]+)"\s*:"#).expect("regex");
    for caps in key.captures_iter(block) {
        let name = &caps[1];
        assert!(
            names.contains(name),
            "the spec's field {name:?} is not in the schema"
        );
    }
    let alternatives =
        regex::Regex::new(r#""(?:kind|stance)"\s*:\s*((?:"[a-z_]+"\s*\|\s*)+"[a-z_]+")"#)
            .expect("regex");
    let word = regex::Regex::new(r#""([a-z_]+)""#).expect("regex");
    let mut checked = 0;
    for caps in alternatives.captures_iter(block) {
        let mut set: Vec<String> = word
            .captures_iter(&caps[1])
            .map(|w| w[1].to_string())
            .collect();
        set.sort();
        assert!(
            enums.contains(&set),
            "the spec's values {set:?} are not an enum of the schema"
        );
        checked += 1;
    }
    assert!(checked >= 5, "found only {checked} value lists in the spec");
}
