//! The web page in a real browser: headless Chromium driven over WebDriver
//! (chromedriver) against the server on a loopback port, with a temporary
//! SQLite ledger holding three fictional articles (`tests/data/*.txt`, written
//! for this test).
//!
//! It pastes an article and checks every highlight against the record the API
//! returns for the same text (speakers, cues, contents, stance badges, nested
//! quotes, the author's voice, warnings), opens a quote's details with the
//! mouse and the keyboard, shows a chosen and a dropped file, searches the
//! ledger (filters, "More", the back button), opens an actor's page and a
//! stored article, checks that no view scrolls sideways at 360 px, draws a
//! record of 240 quotes, and fails on any script error in the page or anything
//! the Content-Security-Policy refuses. The span layout itself is checked on
//! crafted ranges in the same browser.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them the test is skipped with the reason printed, except on CI
//! (`CI=true`), where it fails: there it must run.

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

const TOKEN: &str = "browser-test-token";

/// The article the test pastes: several speakers, denials, a quote nested in
/// a quote, the author's own voice and an unclosed quotation (a warning).
const PASTED: &str = include_str!("data/ferry-crossings.txt");

/// The ledger: the pasted article and two more from later months, so that a
/// speaker has quotes over time.
const STORED: &[&str] = &[
    PASTED,
    include_str!("data/ferry-crew.txt"),
    include_str!("data/harbour-fees.txt"),
];

/// How long the page may take to show what a step waits for.
const WAIT: Duration = Duration::from_secs(20);

// ------------------------------------------------------------------ tools

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Chromium and chromedriver, or `None` (with the reason printed) when one
/// is missing. On CI a missing browser is a failure.
fn tools() -> Option<Tools> {
    let chromium = on_path("chromium");
    let chromedriver = on_path("chromedriver");
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        (chromium, chromedriver) => {
            let missing: Vec<&str> = [("chromium", chromium), ("chromedriver", chromedriver)]
                .into_iter()
                .filter(|(_, found)| found.is_none())
                .map(|(name, _)| name)
                .collect();
            let reason = format!(
                "{} not found on PATH (apt-get install chromium chromium-driver)",
                missing.join(" and ")
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{reason}, but CI is set: the browser test must run on CI");
            }
            eprintln!("skipping: {reason}");
            None
        }
    }
}

// ------------------------------------------------------------------ server

struct TestServer {
    base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    http: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
}

impl TestServer {
    async fn start(dir: &Path) -> TestServer {
        let db = dir.join("ledger.sqlite");
        let mut config = whosaid_server::Config::new(db.to_str().unwrap());
        config.token = Some(TOKEN.to_string());
        let app = whosaid_server::router(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(whosaid_server::serve(listener, app, async move {
            let _ = rx.await;
        }));
        TestServer {
            base: format!("http://{addr}/"),
            shutdown: Some(tx),
            task,
            http: hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path.trim_start_matches('/')))
            .header("Authorization", format!("Bearer {TOKEN}"));
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let response = self.http.request(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, json)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, json) = self.request("GET", path, None, "").await;
        assert_eq!(status, 200, "GET {path}: {json}");
        json
    }

    async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

// ------------------------------------------------------------------ browser

/// chromedriver in a process group of its own, so that the browsers it
/// started go with it even when a check fails halfway.
struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    fn start(tools: &Tools) -> Driver {
        use std::os::unix::process::CommandExt;
        // A free port, asked of the system; chromedriver binds it next.
        let port = StdListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let process = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", tools.chromedriver.display()));
        let driver = Driver { process, port };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    async fn browser(&self, tools: &Tools, profile: &Path) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start chromium: {e}"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browser processes it started.
        let group = format!("-{}", self.process.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            let _ = self.process.kill();
        }
        let _ = self.process.wait();
    }
}

/// Runs `script` in the page (a function body; `arguments` holds `args`).
async fn js(client: &Client, script: &str, args: Vec<Value>) -> Value {
    client
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Waits until the JavaScript expression `condition` is true.
async fn wait_until(client: &Client, condition: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    let script = format!("return Boolean({condition});");
    loop {
        if js(client, &script, vec![]).await == json!(true) {
            return;
        }
        if Instant::now() > deadline {
            let status = js(
                client,
                "return [...document.querySelectorAll('.status, .error')].map(e => e.textContent).join(' | ');",
                vec![],
            )
            .await;
            panic!("timed out waiting for {what} ({condition}); the page says: {status}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits until the view `section` (a CSS selector) shows the current route
/// with its answer in: the page sets `data-shown` to the route's hash then,
/// so what the view showed before cannot pass for it.
async fn wait_for_view(client: &Client, section: &str) {
    wait_until(
        client,
        &format!(
            "(s => s && !s.hidden && s.dataset.shown === location.hash)(document.querySelector('{section}'))"
        ),
        &format!("{section} to show the current route"),
    )
    .await;
}

async fn goto_route(client: &Client, server: &TestServer, route: &str) {
    client
        .goto(&format!("{}{route}", server.base))
        .await
        .unwrap_or_else(|e| panic!("goto {route}: {e}"));
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// With `WHOSAID_BROWSER_SCREENSHOTS=DIR`, saves what the page looks like at
/// this step as `DIR/NAME.png`, for a person to look at; otherwise nothing.
async fn screenshot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("WHOSAID_BROWSER_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.unwrap();
    let path = Path::new(&dir).join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Text without the badges and labels the page adds, so that it can be
/// compared with the record's text (a JavaScript function, shared by the
/// scripts below).
const VISIBLE_TEXT: &str = r#"
const visible = (node) => {
  let out = '';
  const walk = (n) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) out += c.data;
      else if (c.nodeType === 1 && !c.matches('.badge, .authorial-label')) walk(c);
    }
  };
  walk(node);
  return out;
};
const colorOf = (e) => [...e.classList].find((c) => /^c(\d+|x)$/.test(c)) || null;
"#;

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn slice(text: &str, start: &Value, end: &Value) -> String {
    let start = start.as_u64().unwrap() as usize;
    let end = end.as_u64().unwrap() as usize;
    text[start..end].to_string()
}

/// The page's palette: one colour class per actor index, modulo this
/// (`PALETTE_SIZE` in app.js).
const PALETTE_SIZE: u64 = 12;

fn color_class(actor: &Value) -> String {
    match actor.as_u64() {
        Some(index) => format!("c{}", index % PALETTE_SIZE),
        None => "cx".to_string(),
    }
}

// ------------------------------------------------------------------ the test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_attributions_searches_the_ledger_and_opens_actors() {
    let Some(tools) = tools() else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    for article in STORED {
        let (status, answer) = server
            .request("POST", "v1/documents", Some("text/plain"), article)
            .await;
        assert_eq!(status, 201, "storing a fixture: {answer}");
    }
    let driver = Driver::start(&tools);
    let profile = dir.path().join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let client = driver.browser(&tools, &profile).await;
    let browser_ready = started.elapsed();

    span_layout_in_the_browser(&client, &server).await;
    pasted_article(&client, &server).await;
    details(&client, &server).await;
    errors(&client, &server).await;
    search(&client, &server).await;
    let actor_id = actor_page(&client, &server).await;
    stored_document(&client, &server).await;
    chosen_file(&client, &server, dir.path()).await;
    phone_width(&client, &server, actor_id).await;
    many_quotes(&client, &server).await;
    let errors = js(
        &client,
        "return window.pageErrors ?? 'the page was reloaded';",
        vec![],
    )
    .await;
    assert_eq!(errors, json!([]), "the page threw");

    client.close().await.unwrap();
    drop(driver);
    server.stop().await;
    eprintln!(
        "browser test: {:.1} s in all, {:.1} s of it starting the server and the browser",
        started.elapsed().as_secs_f64(),
        browser_ready.as_secs_f64()
    );
}

/// The sweep that nests the highlights, on crafted ranges in the real
/// engine: crossing and nested ranges, blocks, non-ASCII text (byte offsets,
/// not UTF-16 ones) and ranges it must refuse.
async fn span_layout_in_the_browser(client: &Client, server: &TestServer) {
    goto_route(client, server, "").await;
    wait_until(
        client,
        "window.whosaid && window.whosaid.layoutSpans",
        "the script",
    )
    .await;
    // Every later step stays in this document (routes are fragments), so
    // these catch any script error the page throws from here on.
    js(
        client,
        r#"
        window.pageErrors = [];
        addEventListener('error', (e) => window.pageErrors.push(`${e.message} at ${e.filename}:${e.lineno}`));
        addEventListener('unhandledrejection', (e) => window.pageErrors.push(`unhandled rejection: ${e.reason}`));
        // The server's Content-Security-Policy refuses what the page must never do.
        document.addEventListener('securitypolicyviolation', (e) => window.pageErrors.push(`refused by the policy: ${e.violatedDirective} ${e.blockedURI}`));
        // A refused stylesheet fires before this listener exists: check it applied.
        if (getComputedStyle(document.querySelector('.skip-link')).position !== 'absolute') window.pageErrors.push('the stylesheet did not apply');
        "#,
        vec![],
    )
    .await;
    let quote = "“Zürich is fine,” she said.";
    let at = |s: &str| quote.find(s).unwrap();
    let cases = json!([
        ["nested", "abcdef",
            [{"kind": "content", "name": "o", "start": 0, "end": 6},
             {"kind": "content", "name": "i", "start": 2, "end": 4, "depth": 1}],
            "<o>ab<i>cd</i>ef</o>"],
        ["crossing ranges are split and reopened", "abcdef",
            [{"kind": "content", "name": "x", "start": 0, "end": 4},
             {"kind": "speaker", "name": "y", "start": 2, "end": 6}],
            "<x>ab<y>cd</y~></x><y+>ef</y>"],
        ["byte offsets over curly quotes and umlauts", quote,
            [{"kind": "content", "name": "c", "start": at("Z"), "end": at(",”")},
             {"kind": "speaker", "name": "s", "start": at("she"), "end": at(" said")},
             {"kind": "cue", "name": "q", "start": at("said"), "end": at(".")}],
            "“<c>Zürich is fine</c>,” <s>she</s> <q>said</q>."],
        ["blocks are outermost", "aa\n\nbb",
            [{"kind": "content", "name": "c", "start": 1, "end": 6},
             {"kind": "block", "name": "p", "start": 0, "end": 2},
             {"kind": "block", "name": "p", "start": 4, "end": 6}],
            "<p>a<c>a</c~></p><c+>\n\n</c~><p><c+>bb</c></p>"],
        ["equal ranges: content around speaker", "abc",
            [{"kind": "speaker", "name": "s", "start": 0, "end": 3},
             {"kind": "content", "name": "c", "start": 0, "end": 3}],
            "<c><s>abc</s></c>"],
        ["inside a character, reversed, past the end, not a number", "Zürich",
            [{"kind": "content", "name": "a", "start": 2, "end": 4},
             {"kind": "content", "name": "b", "start": 3, "end": 1},
             {"kind": "content", "name": "c", "start": 0, "end": 99},
             {"kind": "content", "name": "d", "start": "0", "end": 2}],
            "Zürich [skipped 4]"],
    ]);
    let results = js(
        client,
        r#"
        return arguments[0].map(([name, text, ranges, want]) => {
          let out = '';
          const sink = {
            text(s) { out += s; },
            open(r, continued) { out += `<${r.name}${continued ? '+' : ''}>`; },
            close(r, finished) { out += `</${r.name}${finished ? '' : '~'}>`; },
          };
          const skipped = window.whosaid.layoutSpans(new TextEncoder().encode(text), ranges, sink);
          return [name, out + (skipped ? ` [skipped ${skipped}]` : ''), want];
        });
        "#,
        vec![cases],
    )
    .await;
    for case in results.as_array().unwrap() {
        assert_eq!(case[1], case[2], "layoutSpans: {}", case[0]);
    }
}

/// Pastes the article, submits it and checks every highlight against the
/// record the API gives for the same text.
async fn pasted_article(client: &Client, server: &TestServer) {
    let (status, record) = server
        .request("POST", "v1/extract", Some("text/plain"), PASTED)
        .await;
    assert_eq!(status, 200, "{record}");
    let text = record["article"]["text"].as_str().unwrap();

    goto_route(client, server, "#/article").await;
    let paste = client.find(Locator::Css("#paste")).await.unwrap();
    // Typing 1,500 characters key by key would only test chromedriver; the
    // value is set as a paste would set it.
    js(
        client,
        "const t = document.querySelector('#paste'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        vec![json!(PASTED)],
    )
    .await;
    assert_eq!(paste.prop("value").await.unwrap().as_deref(), Some(PASTED));
    click(client, "#extract-button").await;
    wait_until(
        client,
        "document.querySelector('#article-output .article-text .q-content')",
        "the highlighted article",
    )
    .await;

    let page = js(
        client,
        &format!(
            "{VISIBLE_TEXT}{}",
            r#"
            const out = document.querySelector('#article-output');
            const root = out.querySelector('.article-text');
            const byAttr = (selector) => {
              const m = {};
              for (const e of root.querySelectorAll(selector)) (m[e.dataset.attr] ||= []).push(e);
              return m;
            };
            const contents = {};
            for (const [id, marks] of Object.entries(byAttr('.q-content'))) {
              contents[id] = {
                text: marks.map(visible).join(''),
                color: colorOf(marks[0]),
                nested: marks[0].classList.contains('nested'),
                inside: marks[0].parentElement.closest('.q-content')?.dataset.attr ?? null,
                tabstops: marks.filter((m) => m.tabIndex === 0).length,
              };
            }
            return {
              title: out.querySelector('.article-title').textContent,
              byline: out.querySelector('.byline')?.textContent ?? null,
              meta: out.querySelector('.article-meta')?.textContent ?? null,
              text: visible(root),
              contents,
              speakers: [...root.querySelectorAll('.q-speaker')].map((e) => ({ text: visible(e), color: colorOf(e) })),
              cues: [...root.querySelectorAll('.q-cue')].map((e) => visible(e)),
              badges: [...root.querySelectorAll('.badge')].map((e) => [e.dataset.attr, e.textContent]),
              authorial: [...root.querySelectorAll('.authorial')].map((e) => [e.dataset.kind, visible(e), e.querySelector('.authorial-label')?.textContent ?? null]),
              warnings: [...out.querySelectorAll('.warnings li')].map((e) => e.textContent),
              legend: [...out.querySelectorAll('.legend-speaker')].map((e) => e.textContent),
              status: document.querySelector('#extract-status').textContent,
            };
            "#
        ),
        vec![],
    )
    .await;

    // What the article is, as a reader sees it.
    assert_eq!(page["title"], record["article"]["title"]);
    assert_eq!(
        page["title"],
        "Lakeside ferry operator denies cutting winter crossings"
    );
    assert_eq!(page["byline"], "By Priya Nandakumar");
    assert!(
        page["meta"].as_str().unwrap().contains("2026-02-02"),
        "{}",
        page["meta"]
    );
    assert!(
        page["status"].as_str().unwrap().starts_with("Extracted"),
        "{}",
        page["status"]
    );
    // No character lost or doubled by the splitting (whitespace between
    // blocks is layout, not text).
    assert_eq!(no_space(page["text"].as_str().unwrap()), no_space(text));

    let attributions = record["attributions"].as_array().unwrap();
    assert!(
        attributions.len() >= 8,
        "the fixture has many attributions: {record}"
    );
    let speakers: Vec<(String, String)> = page["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["text"].as_str().unwrap().into(),
                s["color"].as_str().unwrap().into(),
            )
        })
        .collect();
    let cues: Vec<&str> = page["cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let badges = page["badges"].as_array().unwrap();
    for a in attributions {
        let id = a["id"].to_string();
        let content = &a["content"];
        let expected: String = match content["spans"].as_array() {
            Some(spans) => spans.iter().map(|s| slice(text, &s[0], &s[1])).collect(),
            None => slice(text, &content["start"], &content["end"]),
        };
        let shown = &page["contents"][&id];
        assert_eq!(
            no_space(shown["text"].as_str().unwrap_or_default()),
            no_space(&expected),
            "attribution {id}'s content: {a}"
        );
        assert_eq!(shown["tabstops"], 1, "attribution {id} is one tab stop");
        let color = color_class(&a["speaker"]["actor"]);
        assert_eq!(shown["color"], json!(color), "attribution {id}'s colour");
        if let Some(speaker) = a["speaker"]["text"].as_str() {
            assert!(
                speakers.contains(&(speaker.to_string(), color.clone())),
                "speaker {speaker:?} in {color} among {speakers:?}"
            );
        }
        if let Some(cue) = a["cue"]["text"].as_str() {
            assert!(cues.contains(&cue), "cue {cue:?} among {cues:?}");
        }
        let own_badges: Vec<&Value> = badges.iter().filter(|b| b[0] == json!(id)).collect();
        assert_eq!(
            own_badges.len(),
            1,
            "attribution {id} has one stance badge: {badges:?}"
        );
        assert_eq!(own_badges[0][1], a["stance"], "attribution {id}'s badge");
        match a["parent"].as_u64() {
            Some(parent) => {
                assert_eq!(shown["nested"], true, "attribution {id} is marked nested");
                assert_eq!(
                    shown["inside"],
                    json!(parent.to_string()),
                    "attribution {id} sits inside its parent"
                );
            }
            None => assert_eq!(shown["nested"], false, "attribution {id} is not nested"),
        }
    }

    // The fixture's own facts, so that the checks above cannot all pass on
    // an empty record.
    assert!(
        speakers
            .iter()
            .any(|(s, _)| s == "Oskar Lindqvist, the company's operations director"),
        "{speakers:?}"
    );
    assert!(
        badges.iter().any(|b| b[1] == "denies"),
        "a denial: {badges:?}"
    );
    let nested = page["contents"]
        .as_object()
        .unwrap()
        .values()
        .find(|c| c["nested"] == true && c["text"].as_str().unwrap().contains("They will cut it"))
        .unwrap_or_else(|| panic!("the neighbour's nested quote: {}", page["contents"]));
    assert!(nested["inside"].is_string());
    let authorial = page["authorial"].as_array().unwrap();
    assert_eq!(
        authorial.len(),
        record["authorial"].as_array().unwrap().len()
    );
    assert!(
        authorial.iter().any(|a| a[0] == "question"
            && a[1].as_str().unwrap().starts_with("Why should they wait")
            && a[2] == "author · question"),
        "{authorial:?}"
    );
    assert_eq!(page["warnings"], record["warnings"]);
    assert!(page["warnings"][0]
        .as_str()
        .unwrap()
        .contains("unclosed quotation"));
    assert!(
        page["legend"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("Oskar Lindqvist")),
        "{}",
        page["legend"]
    );
}

/// A quote's details, opened with the mouse and with the keyboard.
async fn details(client: &Client, server: &TestServer) {
    let (_, record) = server
        .request("POST", "v1/extract", Some("text/plain"), PASTED)
        .await;
    let attributions = record["attributions"].as_array().unwrap();
    let by_speaker = |prefix: &str| {
        attributions
            .iter()
            .find(|a| {
                a["speaker"]["text"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no attribution by {prefix}"))
    };
    let lindqvist = by_speaker("Oskar Lindqvist");
    let id = &lindqvist["id"];
    click(
        client,
        &format!(".article-text .q-content[data-attr=\"{id}\"][tabindex=\"0\"]"),
    )
    .await;
    wait_until(
        client,
        "!document.querySelector('#article-output .details').hidden",
        "the details",
    )
    .await;
    let shown = js(
        client,
        r#"
        const d = document.querySelector('#article-output .details');
        const text = (s) => d.querySelector(s)?.textContent ?? null;
        return {
          title: text('.details-title'), kind: text('.detail-kind'), speaker: text('.detail-speaker'),
          cue: text('.detail-cue'), stance: text('.detail-stance'), content: text('.detail-content'),
          parent: text('.detail-parent'), focused: document.activeElement === d.querySelector('.details-title'),
          selected: document.querySelectorAll('.article-text .q-content.selected').length,
        };
        "#,
        vec![],
    )
    .await;
    assert_eq!(shown["title"], format!("Quote {id}"));
    assert_eq!(shown["kind"], "direct");
    assert!(
        shown["speaker"]
            .as_str()
            .unwrap()
            .contains("→ Oskar Lindqvist"),
        "{}",
        shown["speaker"]
    );
    assert!(
        shown["cue"].as_str().unwrap().starts_with("said"),
        "{}",
        shown["cue"]
    );
    assert_eq!(shown["stance"], lindqvist["stance"]);
    assert_eq!(shown["content"], lindqvist["content"]["text"]);
    assert_eq!(shown["parent"], "top level");
    assert_eq!(shown["focused"], true, "focus moves to the details");
    assert!(shown["selected"].as_u64().unwrap() >= 1);
    screenshot(client, "article-details").await;

    // Escape closes them and gives the focus back to the quote.
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    wait_until(
        client,
        "document.querySelector('#article-output .details').hidden",
        "the details to close",
    )
    .await;
    let back = js(
        client,
        "return document.activeElement.dataset.attr ?? null;",
        vec![],
    )
    .await;
    assert_eq!(back, json!(id.to_string()));

    // The nested quote by keyboard: focus it, press Enter.
    let nested = attributions
        .iter()
        .find(|a| a["parent"].is_u64())
        .expect("a nested attribution");
    let (nested_id, parent_id) = (&nested["id"], &nested["parent"]);
    let mark = client
        .find(Locator::Css(&format!(
            ".article-text .q-content[data-attr=\"{nested_id}\"][tabindex=\"0\"]"
        )))
        .await
        .unwrap();
    js(
        client,
        "arguments[0].focus();",
        vec![serde_json::to_value(&mark).unwrap()],
    )
    .await;
    mark.send_keys("\u{e007}").await.unwrap();
    wait_until(
        client,
        &format!("document.querySelector('#article-output .details-title')?.textContent === 'Quote {nested_id}' && !document.querySelector('#article-output .details').hidden"),
        "the nested quote's details",
    )
    .await;
    js(
        client,
        "arguments[0].scrollIntoView({ block: 'center' });",
        vec![serde_json::to_value(&mark).unwrap()],
    )
    .await;
    screenshot(client, "article-nested").await;
    let parent_line = js(
        client,
        "return document.querySelector('#article-output .detail-parent').textContent;",
        vec![],
    )
    .await;
    assert!(
        parent_line
            .as_str()
            .unwrap()
            .starts_with(&format!("quote {parent_id} by ")),
        "{parent_line}"
    );
    // From the nested quote to its parent, whose details list it.
    click(client, "#article-output .detail-parent button").await;
    wait_until(
        client,
        &format!("document.querySelector('#article-output .details-title').textContent === 'Quote {parent_id}'"),
        "the parent's details",
    )
    .await;
    let children = js(
        client,
        "return document.querySelector('#article-output .detail-children')?.textContent ?? '';",
        vec![],
    )
    .await;
    assert!(
        children
            .as_str()
            .unwrap()
            .contains(&format!("quote {nested_id} by ")),
        "{children}"
    );
}

/// The API's errors reach the reader as its message.
async fn errors(client: &Client, server: &TestServer) {
    let (status, missing) = server.request("GET", "v1/actors/999999", None, "").await;
    assert_eq!(status, 404);
    goto_route(client, server, "#/actor/999999").await;
    wait_for_view(client, "#view-actor").await;
    let shown = js(
        client,
        "return document.querySelector('#actor-output .error').textContent;",
        vec![],
    )
    .await;
    let message = missing["error"]["message"].as_str().unwrap();
    assert!(
        shown.as_str().unwrap().contains(message),
        "{shown} should say {message:?}"
    );

    goto_route(client, server, "#/article").await;
    js(
        client,
        "document.querySelector('#paste').value = '   ';",
        vec![],
    )
    .await;
    click(client, "#extract-button").await;
    wait_until(
        client,
        "document.querySelector('#extract-status .error')",
        "the empty paste's error",
    )
    .await;
}

/// The search form, its filters, "More" and the back button.
async fn search(client: &Client, server: &TestServer) {
    goto_route(client, server, "#/article").await;
    client
        .find(Locator::LinkText("Search the ledger"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        client,
        "!document.querySelector('#view-search').hidden",
        "the search view",
    )
    .await;
    let speaker = client
        .find(Locator::Css("#search-form input[name=speaker]"))
        .await
        .unwrap();
    speaker.send_keys("Lindqvist").await.unwrap();
    click(client, "#search-button").await;
    wait_until(
        client,
        "location.hash === '#/search?speaker=Lindqvist'",
        "the search route",
    )
    .await;
    wait_for_view(client, "#view-search").await;
    let expected = server.get("v1/attributions?speaker=Lindqvist").await;
    let items = expected["items"].as_array().unwrap();
    assert!(
        items.len() >= 4,
        "Lindqvist speaks in every fixture: {expected}"
    );
    let results = results_on_page(client).await;
    assert_eq!(results.len(), items.len(), "{results:?}");
    for (shown, item) in results.iter().zip(items) {
        assert_eq!(shown["speaker"], item["speaker"]);
        assert_eq!(shown["stance"], item["stance"]);
        assert_eq!(shown["content"], item["content"]);
        assert_eq!(shown["title"], item["title"]);
    }
    screenshot(client, "search").await;

    // Words, stance and dates, from a link: the form shows them.
    goto_route(
        client,
        server,
        "#/search?q=staff&stance=denies&since=2026-03-01&until=2026-03-31",
    )
    .await;
    wait_for_view(client, "#view-search").await;
    let expected = server
        .get("v1/attributions?q=staff&stance=denies&since=2026-03-01&until=2026-03-31")
        .await;
    let results = results_on_page(client).await;
    assert_eq!(results.len(), expected["items"].as_array().unwrap().len());
    assert!(!results.is_empty(), "Lindqvist's March denial: {expected}");
    assert!(
        results.iter().all(|r| r["stance"] == "denies"),
        "{results:?}"
    );
    let form = js(
        client,
        "return document.querySelector('#search-form [name=since]').value;",
        vec![],
    )
    .await;
    assert_eq!(form, "2026-03-01");

    // Two a page: "More" adds the next page until there is none.
    goto_route(client, server, "#/search?stance=asserts&limit=2").await;
    wait_for_view(client, "#view-search").await;
    assert_eq!(results_on_page(client).await.len(), 2);
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("v1/attributions?stance=asserts&limit=2&cursor={c}"),
            None => "v1/attributions?stance=asserts&limit=2".to_string(),
        };
        let page = server.get(&path).await;
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(all.len() > 4, "enough for three pages: {}", all.len());
    for pages in 2.. {
        let more_hidden = js(
            client,
            "return document.querySelector('#search-more').hidden;",
            vec![],
        )
        .await;
        let shown = results_on_page(client).await.len();
        if shown == all.len() {
            assert_eq!(more_hidden, true, "no \"More\" after the last page");
            break;
        }
        assert_eq!(
            more_hidden,
            false,
            "\"More\" with {shown} of {} shown",
            all.len()
        );
        click(client, "#search-more").await;
        let want = (pages * 2).min(all.len());
        wait_until(
            client,
            &format!("document.querySelectorAll('#search-results .result').length === {want}"),
            "the next page",
        )
        .await;
    }
    let results = results_on_page(client).await;
    for (shown, item) in results.iter().zip(&all) {
        assert_eq!(shown["content"], item["content"]);
    }

    // Back to the speaker search (the browser's history holds the routes).
    client.back().await.unwrap();
    wait_until(
        client,
        "location.hash.startsWith('#/search?q=staff')",
        "the previous search",
    )
    .await;
    client.back().await.unwrap();
    wait_until(
        client,
        "location.hash === '#/search?speaker=Lindqvist'",
        "the first search",
    )
    .await;
    wait_for_view(client, "#view-search").await;
    let speaker = js(
        client,
        "return document.querySelector('#search-form [name=speaker]').value;",
        vec![],
    )
    .await;
    assert_eq!(speaker, "Lindqvist", "the form follows the route back");
    let results = results_on_page(client).await;
    assert_eq!(results.len(), items.len(), "{results:?}");
    assert!(results.iter().all(|r| r["speaker"] == "Oskar Lindqvist"));
}

async fn results_on_page(client: &Client) -> Vec<Value> {
    let results = js(
        client,
        r#"
        return [...document.querySelectorAll('#search-results .result')].map((r) => ({
          speaker: r.querySelector('.result-speaker').textContent,
          stance: r.querySelector('.badge').textContent,
          content: r.querySelector('.result-content').textContent,
          title: r.querySelector('.result-title').textContent,
        }));
        "#,
        vec![],
    )
    .await;
    results.as_array().unwrap().clone()
}

/// From a result's speaker to the speaker's page; returns the actor's id.
async fn actor_page(client: &Client, server: &TestServer) -> u64 {
    click(client, "#search-results .result a.result-speaker").await;
    wait_until(
        client,
        "location.hash.startsWith('#/actor/')",
        "the actor route",
    )
    .await;
    wait_for_view(client, "#view-actor").await;
    let hash = js(client, "return location.hash;", vec![]).await;
    let id: u64 = hash
        .as_str()
        .unwrap()
        .trim_start_matches("#/actor/")
        .parse()
        .unwrap();
    let actor = server.get(&format!("v1/actors/{id}")).await;
    let shown = js(
        client,
        r#"
        const o = document.querySelector('#actor-output');
        return {
          name: o.querySelector('h2').textContent,
          summary: o.querySelector('.actor-summary').textContent,
          names: [...o.querySelectorAll('.actor-names li')].map((e) => e.textContent),
          stances: Object.fromEntries([...o.querySelectorAll('.stance-row')].map((e) => [e.querySelector('.stance-name').textContent, Number(e.querySelector('.stance-count').textContent)])),
          widths: Object.fromEntries([...o.querySelectorAll('.stance-row')].map((e) => [e.querySelector('.stance-name').textContent, e.querySelector('.bar-fill').style.width])),
          bars: [...o.querySelectorAll('.month-chart rect')].map((e) => e.querySelector('title').textContent),
          recent: o.querySelectorAll('.actor-recent .result').length,
          focused: document.activeElement === o.querySelector('h2'),
        };
        "#,
        vec![],
    )
    .await;
    assert_eq!(shown["name"], actor["name"]);
    assert_eq!(shown["name"], "Oskar Lindqvist");
    assert!(
        shown["summary"].as_str().unwrap().contains(&format!(
            "{} attributions in {} documents",
            actor["attributions"], actor["documents"]
        )),
        "{}",
        shown["summary"]
    );
    for name in actor["names"].as_array().unwrap() {
        let line = format!("{} ({})", name["name"].as_str().unwrap(), name["count"]);
        assert!(
            shown["names"].as_array().unwrap().contains(&json!(line)),
            "{line} in {}",
            shown["names"]
        );
    }
    let most = actor["stances"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .max()
        .unwrap_or(0)
        .max(1);
    for (stance, count) in actor["stances"].as_object().unwrap() {
        assert_eq!(&shown["stances"][stance], count, "stance {stance}");
        // The bars scale to the most frequent stance.
        let want = count.as_u64().unwrap() as f64 / most as f64 * 100.0;
        let shown_width = shown["widths"][stance].as_str().unwrap_or_default();
        let width: f64 = shown_width
            .trim_end_matches('%')
            .parse()
            .unwrap_or(f64::NAN);
        assert!(
            (width - want).abs() < 0.01,
            "stance {stance}'s bar is {shown_width:?}, not {want}%"
        );
    }
    // February to April 2026, one bar a month.
    let months: Vec<&str> = actor["per_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(
        months,
        ["2026-02", "2026-03", "2026-04"],
        "{}",
        actor["per_month"]
    );
    assert_eq!(
        shown["bars"].as_array().unwrap().len(),
        3,
        "{}",
        shown["bars"]
    );
    for m in actor["per_month"].as_array().unwrap() {
        let bar = format!("{}: {}", m["month"].as_str().unwrap(), m["count"]);
        assert!(
            shown["bars"].as_array().unwrap().contains(&json!(bar)),
            "{bar} in {}",
            shown["bars"]
        );
    }
    assert_eq!(
        shown["recent"],
        json!(actor["recent"].as_array().unwrap().len())
    );
    assert_eq!(
        shown["focused"], true,
        "focus moves to the new view's heading"
    );
    screenshot(client, "actor").await;
    id
}

/// A result's title opens the stored article with that quote selected.
async fn stored_document(client: &Client, server: &TestServer) {
    goto_route(client, server, "#/search?speaker=Lindqvist&stance=denies").await;
    wait_for_view(client, "#view-search").await;
    let item = &server
        .get("v1/attributions?speaker=Lindqvist&stance=denies")
        .await["items"][0];
    click(client, "#search-results .result-title").await;
    wait_until(
        client,
        "location.hash.startsWith('#/document/')",
        "the document route",
    )
    .await;
    wait_for_view(client, "#view-document").await;
    let shown = js(
        client,
        r#"
        const o = document.querySelector('#document-output');
        return {
          title: o.querySelector('.article-title').textContent,
          selected: o.querySelector('.q-content.selected').dataset.attr,
          details: o.querySelector('.detail-content').textContent,
        };
        "#,
        vec![],
    )
    .await;
    assert_eq!(shown["title"], item["title"]);
    assert_eq!(shown["selected"], json!(item["index"].to_string()));
    assert_eq!(shown["details"], item["content"]);
}

/// An HTML file chosen with the file input is sent as HTML (by its name)
/// and shown like a pasted article; so is a text file dropped on the form.
async fn chosen_file(client: &Client, server: &TestServer, dir: &Path) {
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>Night ferry trial ends early | Lakeside Courier</title></head><body>\
        <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
        <article><h1>Night ferry trial ends early</h1>\
        <p class=\"byline\">By Wen Adeyemi</p>\
        <p>The Lakeside Ferry Company ended its night-sailing trial on Friday, two weeks \
        before it was due to finish, after fewer than ten passengers used it on most nights.</p>\
        <p>“We gave it a fair chance, and the numbers never came,” said Oskar Lindqvist, \
        the company’s operations director.</p>\
        <p>Ingrid Solberg, who chairs the harbour board, denied that the board had asked \
        for the trial to stop.</p></article><footer>© Lakeside Courier</footer></body></html>";
    let path = dir.join("night-ferry.html");
    std::fs::write(&path, page).unwrap();
    let (status, record) = server
        .request("POST", "v1/extract", Some("text/html"), page)
        .await;
    assert_eq!(status, 200, "{record}");
    goto_route(client, server, "#/article").await;
    js(
        client,
        "document.querySelector('#article-output').replaceChildren();",
        vec![],
    )
    .await;
    client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    wait_until(
        client,
        "document.querySelector('#article-output .article-title')",
        "the chosen file's article",
    )
    .await;
    let shown = js(
        client,
        &format!(
            "{VISIBLE_TEXT}{}",
            r#"
            const o = document.querySelector('#article-output');
            return {
              title: o.querySelector('.article-title').textContent,
              text: visible(o.querySelector('.article-text')),
              badges: [...o.querySelectorAll('.article-text .badge')].map((b) => b.textContent),
              status: document.querySelector('#extract-status').textContent,
            };
            "#
        ),
        vec![],
    )
    .await;
    assert_eq!(shown["title"], record["article"]["title"]);
    assert_eq!(
        no_space(shown["text"].as_str().unwrap()),
        no_space(record["article"]["text"].as_str().unwrap())
    );
    let stances: Vec<&Value> = record["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["stance"])
        .collect();
    assert!(!stances.is_empty(), "{record}");
    assert_eq!(shown["badges"].as_array().unwrap().len(), stances.len());
    assert!(
        shown["status"]
            .as_str()
            .unwrap()
            .contains("night-ferry.html"),
        "{}",
        shown["status"]
    );

    // A text file dropped on the form (WebDriver cannot drag from the
    // desktop, so the drop event is made in the page).
    let harbour = STORED[2];
    let title = harbour.lines().next().unwrap();
    js(
        client,
        r#"
        document.querySelector('#article-output').replaceChildren();
        const files = new DataTransfer();
        files.items.add(new File([arguments[0]], 'harbour-fees.txt', { type: 'text/plain' }));
        const zone = document.querySelector('#drop-zone');
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
        "#,
        vec![json!(harbour)],
    )
    .await;
    wait_until(
        client,
        &format!(
            "document.querySelector('#article-output .article-title')?.textContent === {}",
            json!(title)
        ),
        "the dropped file's article",
    )
    .await;
}

/// At 360 px nothing is wider than the window, on every view.
async fn phone_width(client: &Client, server: &TestServer, actor_id: u64) {
    client.set_window_size(360, 800).await.unwrap();
    let inner = js(client, "return window.innerWidth;", vec![]).await;
    assert!(
        inner.as_u64().unwrap() <= 360,
        "the window is phone-sized: {inner}"
    );
    let first = &server.get("v1/attributions?limit=1").await["items"][0];
    // Each route with what shows that its view is done.
    let routes = [
        (
            "#/article",
            "#view-article",
            "#article-output .details:not([hidden])",
        ),
        (
            "#/search?speaker=Lindqvist",
            "#view-search",
            "#search-results .result",
        ),
        (
            &*format!("#/actor/{actor_id}"),
            "#view-actor",
            "#actor-output .month-chart",
        ),
        (
            &*format!("#/document/{}/{}", first["document"], first["index"]),
            "#view-document",
            "#document-output .details:not([hidden])",
        ),
    ];
    goto_route(client, server, "#/article").await;
    js(
        client,
        "document.querySelector('#article-output').replaceChildren(); document.querySelector('#paste').value = arguments[0];",
        vec![json!(PASTED)],
    )
    .await;
    click(client, "#extract-button").await;
    wait_until(
        client,
        "document.querySelector('#article-output .q-content')",
        "the article",
    )
    .await;
    click(client, "#article-output .q-content[tabindex=\"0\"]").await;
    for (route, view, ready) in routes {
        js(client, "location.hash = arguments[0];", vec![json!(route)]).await;
        wait_until(
            client,
            &format!("location.hash === {}", json!(route)),
            route,
        )
        .await;
        wait_for_view(client, view).await;
        wait_until(client, &format!("document.querySelector('{ready}')"), route).await;
        let widths = js(
            client,
            r#"
            const limit = document.documentElement.clientWidth + 0.5;
            const wide = [...document.querySelectorAll('body *')]
              .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > limit)
              .slice(0, 5).map((e) => `${e.tagName}.${e.className}`);
            return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, wide };
            "#,
            vec![],
        )
        .await;
        assert!(
            widths["scroll"].as_u64() <= widths["client"].as_u64(),
            "{route} scrolls sideways at 360 px: {widths}"
        );
        screenshot(client, &format!("phone-{}", &view[1..])).await;
    }
    client.set_window_size(1280, 900).await.unwrap();
}

/// A long article with 240 quotes (40 of them nested) renders with every
/// badge and tab stop; the time is printed, not asserted (speed belongs in
/// benchmarks).
async fn many_quotes(client: &Client, server: &TestServer) {
    let record = synthetic_record(240);
    goto_route(client, server, "#/article").await;
    let shown = js(
        client,
        r#"
        const box = document.createElement('div');
        document.body.append(box);
        const t0 = performance.now();
        window.whosaid.renderRecord(box, arguments[0], null);
        box.offsetHeight;
        const ms = performance.now() - t0;
        const result = {
          ms,
          badges: box.querySelectorAll('.article-text .badge').length,
          tabstops: box.querySelectorAll('.article-text .q-content[tabindex="0"]').length,
          nested: box.querySelectorAll('.article-text .q-content.nested').length,
          warnings: box.querySelectorAll('.warnings li').length,
        };
        box.remove();
        return result;
        "#,
        vec![record],
    )
    .await;
    assert_eq!(shown["badges"], 240);
    assert_eq!(shown["tabstops"], 240);
    assert_eq!(shown["nested"], 40);
    assert_eq!(shown["warnings"], 0, "every synthetic span is valid");
    eprintln!(
        "browser test: 240 quotes rendered in {:.1} ms",
        shown["ms"].as_f64().unwrap()
    );
}

/// A record of `quotes` attributions by byte offsets (non-ASCII names, curly
/// quotes); every fifth statement holds a nested quote.
fn synthetic_record(quotes: usize) -> Value {
    let mut text = String::new();
    let mut blocks = Vec::new();
    let mut attributions = Vec::new();
    let mut actors = Vec::new();
    for i in 0..12 {
        actors.push(
            json!({"id": i, "name": format!("Zoë Ödegaard {i}"), "kind": "person", "mentions": []}),
        );
    }
    let mut id = 0;
    let mut i = 0;
    while id < quotes {
        let start = text.len();
        let actor = i % 12;
        text.push('“');
        let content_start = text.len();
        text.push_str(&format!("Statement {i} about the ferry’s timetable"));
        let mut nested = None;
        if i % 5 == 0 && id + 1 < quotes {
            text.push_str(", and they told me ‘");
            let inner_start = text.len();
            text.push_str("wait for März");
            nested = Some((inner_start, text.len()));
            text.push('’');
        }
        let content_end = text.len();
        text.push_str("”, ");
        let speaker_start = text.len();
        text.push_str(&format!("Zoë Ödegaard {actor}"));
        let speaker_end = text.len();
        text.push(' ');
        let cue_start = text.len();
        text.push_str("said");
        let cue_end = text.len();
        text.push('.');
        blocks.push(json!({"kind": "paragraph", "start": start, "end": text.len()}));
        let outer = id;
        const STANCES: [&str; 7] = [
            "asserts", "denies", "believes", "doubts", "affirms", "reports", "intends",
        ];
        attributions.push(json!({
            "id": outer, "kind": "direct",
            "speaker": {"start": speaker_start, "end": speaker_end, "text": &text[speaker_start..speaker_end], "actor": actor},
            "cue": {"start": cue_start, "end": cue_end, "text": "said", "lemma": "say"},
            "addressee": null,
            "content": {"start": content_start, "end": content_end, "text": &text[content_start..content_end]},
            "stance": STANCES[i % STANCES.len()],
            "parent": null,
        }));
        id += 1;
        if let Some((s, e)) = nested {
            attributions.push(json!({
                "id": id, "kind": "direct", "speaker": null, "cue": null, "addressee": null,
                "content": {"start": s, "end": e, "text": &text[s..e]},
                "stance": "asserts", "parent": outer,
            }));
            id += 1;
        }
        text.push_str("\n\n");
        i += 1;
    }
    let text = text.trim_end().to_string();
    json!({
        "schema": "whosaid/1",
        "source": {"path": "-", "record": null, "url": null, "sha256": "0"},
        "article": {"title": "Many quotes", "authors": [], "published": null, "site": null, "language": "en", "text": text, "blocks": blocks},
        "actors": actors,
        "attributions": attributions,
        "authorial": [],
        "warnings": [],
    })
}
