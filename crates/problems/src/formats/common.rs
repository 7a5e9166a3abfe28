//! Shared plumbing of the record-based readers (P3, HumanEval, MBPP, CodeContests,
//! LiveCodeBench, APPS as JSON Lines):
//!
//! - [`for_each_value`] streams the records of a file that is either JSON Lines (one object per
//!   line, blank lines skipped, CRLF accepted) or one JSON list, gzip-compressed or not (decided
//!   by the content's magic bytes; a name ending in `.gz` whose content is not gzip is an error).
//! - [`read_records`] turns each record into a problem with a caller's function, collecting one
//!   [`LoadError`] per bad record; an unreadable file is one error.
//! - [`Record`] gives typed access to a record's fields with errors that name the file, the record
//!   (`line 17` for JSON Lines, 1-based; `index 3` for a JSON list, 0-based) and the field.

use crate::{LoadError, LoadReport, Problem};
use flate2::read::MultiGzDecoder;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// A line of a JSON Lines file, 1-based.
    Line(usize),
    /// An element of a JSON list, 0-based.
    Index(usize),
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Line(n) => write!(f, "line {n}"),
            Loc::Index(i) => write!(f, "index {i}"),
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// Opens `path`, transparently decompressing gzip content.
fn open(path: &Path) -> Result<Box<dyn BufRead>, LoadError> {
    let file = File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    let mut reader = BufReader::new(file);
    let head = reader
        .fill_buf()
        .map_err(|e| LoadError::new(path, format!("cannot read: {e}")))?;
    let is_gzip = head.starts_with(&GZIP_MAGIC);
    let named_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if named_gz && !is_gzip {
        return Err(LoadError::new(
            path,
            "not a gzip file: the name ends in .gz but the content does not start with the gzip \
             magic bytes",
        ));
    }
    if is_gzip {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Skips whitespace and a UTF-8 byte-order mark; returns the first other byte (not consumed),
/// or `None` at the end of the stream.
fn peek_first_byte(reader: &mut dyn BufRead) -> std::io::Result<Option<u8>> {
    let mut first_chunk = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        let mut skip = 0;
        if first_chunk && buf.starts_with(&UTF8_BOM) {
            skip = UTF8_BOM.len();
        }
        first_chunk = false;
        while skip < buf.len() && buf[skip].is_ascii_whitespace() {
            skip += 1;
        }
        if skip < buf.len() {
            let byte = buf[skip];
            reader.consume(skip);
            return Ok(Some(byte));
        }
        let len = buf.len();
        reader.consume(len);
    }
}

/// Calls `f` with each record of `path` (a parse error of one record is passed as `Err` with
/// serde_json's message) until `f` breaks or the records end.
///
/// Returns `Err` for a file that cannot be opened, and for a read or syntax error that stops the
/// stream (a truncated gzip member, a malformed JSON list); records before it were delivered.
pub(crate) fn for_each_value(
    path: &Path,
    mut f: impl FnMut(Loc, Result<Value, String>) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    let mut reader = open(path)?;
    let first = peek_first_byte(reader.as_mut())
        .map_err(|e| LoadError::new(path, format!("cannot read: {e}")))?;
    match first {
        None => Ok(()),
        Some(b'[') => for_each_list_element(path, reader, f),
        Some(_) => {
            let mut line = Vec::new();
            let mut line_no = 0usize;
            loop {
                line.clear();
                line_no += 1;
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(LoadError::field(
                            path,
                            Loc::Line(line_no).to_string(),
                            format!("read error, the rest of the file was skipped: {e}"),
                        ));
                    }
                }
                let text = line.strip_prefix(&UTF8_BOM).unwrap_or(&line);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let value = serde_json::from_slice::<Value>(text)
                    .map_err(|e| format!("not valid JSON (truncated line?): {e}"));
                if f(Loc::Line(line_no), value).is_break() {
                    return Ok(());
                }
            }
        }
    }
}

/// Streams the elements of a JSON list, one `Value` at a time.
fn for_each_list_element(
    path: &Path,
    reader: Box<dyn BufRead>,
    mut f: impl FnMut(Loc, Result<Value, String>) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    struct Elements<'a, F> {
        f: &'a mut F,
        delivered: &'a mut usize,
        stopped: &'a mut bool,
    }
    impl<'de, F: FnMut(Loc, Result<Value, String>) -> ControlFlow<()>> Visitor<'de>
        for Elements<'_, F>
    {
        type Value = ();
        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a JSON list of records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(value) = seq.next_element::<Value>()? {
                let index = *self.delivered;
                *self.delivered += 1;
                if (self.f)(Loc::Index(index), Ok(value)).is_break() {
                    *self.stopped = true;
                    return Ok(());
                }
            }
            Ok(())
        }
    }
    impl<'de, F: FnMut(Loc, Result<Value, String>) -> ControlFlow<()>> DeserializeSeed<'de>
        for Elements<'_, F>
    {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    let mut delivered = 0usize;
    let mut stopped = false;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = Elements {
        f: &mut f,
        delivered: &mut delivered,
        stopped: &mut stopped,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        // Stopping early leaves the rest of the list unread, which serde_json reports.
        Err(_) if stopped => Ok(()),
        Err(e) => Err(LoadError::field(
            path,
            Loc::Index(delivered).to_string(),
            format!("malformed JSON list, the rest of the file was skipped: {e}"),
        )),
    }
}

/// The first record of `path` (`Ok(None)` for a file without records), for format detection.
pub(crate) fn first_record(path: &Path) -> Result<Option<Value>, LoadError> {
    let mut first = None;
    let mut failure = None;
    for_each_value(path, |loc, value| {
        match value {
            Ok(v) => first = Some(v),
            Err(msg) => failure = Some(LoadError::field(path, loc.to_string(), msg)),
        }
        ControlFlow::Break(())
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(first),
    }
}

/// Reads every record of `path` into `report`: `build` makes a problem from each JSON object;
/// a record that is not valid JSON, not an object, or that `build` rejects becomes one error.
pub(crate) fn read_records(
    path: &Path,
    report: &mut LoadReport,
    mut build: impl FnMut(&Record<'_>) -> Result<Problem, LoadError>,
) {
    let result = for_each_value(path, |loc, value| {
        let outcome = match value {
            Err(msg) => Err(LoadError::field(path, loc.to_string(), msg)),
            Ok(Value::Object(obj)) => build(&Record {
                path,
                loc,
                obj: &obj,
            }),
            Ok(other) => Err(LoadError::field(
                path,
                loc.to_string(),
                format!("expected a JSON object, found {}", type_name(&other)),
            )),
        };
        match outcome {
            Ok(problem) => report.problems.push(problem),
            Err(e) => report.errors.push(e),
        }
        ControlFlow::Continue(())
    });
    if let Err(e) = result {
        report.errors.push(e);
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One JSON object record with typed field access.
pub(crate) struct Record<'a> {
    /// The file.
    pub path: &'a Path,
    /// Where the record is in the file.
    pub loc: Loc,
    /// The record.
    pub obj: &'a Map<String, Value>,
}

impl Record<'_> {
    /// An error about `field` of this record.
    pub fn err(&self, field: &str, message: impl Into<String>) -> LoadError {
        LoadError::field(self.path, format!("{}: {field}", self.loc), message)
    }

    /// An error about the record as a whole.
    pub fn record_err(&self, message: impl Into<String>) -> LoadError {
        LoadError::field(self.path, self.loc.to_string(), message)
    }

    /// The field's value, `None` when missing or `null`.
    pub fn opt(&self, key: &str) -> Option<&Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// A required field of any type.
    pub fn req(&self, key: &str) -> Result<&Value, LoadError> {
        self.opt(key).ok_or_else(|| self.err(key, "missing field"))
    }

    /// A required string field.
    pub fn str(&self, key: &str) -> Result<&str, LoadError> {
        let value = self.req(key)?;
        value.as_str().ok_or_else(|| {
            self.err(
                key,
                format!("expected a string, found {}", type_name(value)),
            )
        })
    }

    /// An optional string field (`None` when missing or `null`).
    pub fn opt_str(&self, key: &str) -> Result<Option<&str>, LoadError> {
        match self.opt(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(
                key,
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    /// A required list of strings.
    pub fn str_list(&self, key: &str) -> Result<Vec<&str>, LoadError> {
        let value = self.req(key)?;
        str_list(value).map_err(|msg| self.err(key, msg))
    }

    /// An optional list of strings (empty when missing or `null`).
    pub fn opt_str_list(&self, key: &str) -> Result<Vec<&str>, LoadError> {
        match self.opt(key) {
            None => Ok(Vec::new()),
            Some(value) => str_list(value).map_err(|msg| self.err(key, msg)),
        }
    }

    /// An identifier field that may be a string or an integer (`task_id: 11`).
    pub fn id(&self, key: &str) -> Result<String, LoadError> {
        match self.req(key)? {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            Value::String(_) => Err(self.err(key, "empty")),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
            other => Err(self.err(
                key,
                format!(
                    "expected a string or an integer, found {}",
                    type_name(other)
                ),
            )),
        }
    }
}

/// A list of strings, or a message naming the first element that is not one.
pub(crate) fn str_list(value: &Value) -> Result<Vec<&str>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("expected a list of strings, found {}", type_name(value)))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str()
                .ok_or_else(|| format!("element {i}: expected a string, found {}", type_name(item)))
        })
        .collect()
}

/// An unsigned integer given as a JSON number or a decimal string (protobuf's JSON mapping
/// writes 64-bit integers as strings). `None` for anything else, negatives and fractions.
pub(crate) fn lenient_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `s` as a Python string literal. A JSON string literal is one: serde_json writes only the
/// escapes `\" \\ \n \r \t \b \f \u00XX`, which Python reads the same way.
pub(crate) fn py_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// Removes the common leading spaces and tabs of the non-blank lines (Python's
/// `textwrap.dedent`, counting a tab as one character).
pub(crate) fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.bytes().take_while(|b| *b == b' ' || *b == b'\t').count())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                &l[indent..]
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `field` of every error in a report, in order (test helper).
#[cfg(test)]
pub(crate) fn error_fields(report: &crate::LoadReport) -> Vec<String> {
    report
        .errors
        .iter()
        .map(|e| e.field.clone().unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }

    type Seen = Vec<(Loc, Result<Value, String>)>;

    fn collect(path: &Path) -> (Seen, Result<(), LoadError>) {
        let mut seen = Vec::new();
        let result = for_each_value(path, |loc, v| {
            seen.push((loc, v));
            ControlFlow::Continue(())
        });
        (seen, result)
    }

    #[test]
    fn jsonl_lines_are_numbered_from_one_and_blank_lines_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "a.jsonl", b"{\"a\":1}\r\n\n{\"a\":\n{\"a\":3}");
        let (seen, result) = collect(&path);
        assert!(result.is_ok());
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].0, Loc::Line(1));
        assert!(seen[0].1.is_ok());
        assert_eq!(seen[1].0, Loc::Line(3));
        assert!(seen[1].1.as_ref().is_err_and(|m| m.contains("truncated")));
        assert_eq!(seen[2].0, Loc::Line(4));
    }

    #[test]
    fn json_list_is_streamed_with_indices() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "a.json",
            b"\xef\xbb\xbf  [{\"a\":1}, 2, {\"b\":3}]\n",
        );
        let (seen, result) = collect(&path);
        assert!(result.is_ok());
        let locs: Vec<Loc> = seen.iter().map(|(l, _)| *l).collect();
        assert_eq!(locs, vec![Loc::Index(0), Loc::Index(1), Loc::Index(2)]);
    }

    #[test]
    fn malformed_json_list_keeps_earlier_elements() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "a.json", b"[{\"a\":1}, {\"b\":");
        let (seen, result) = collect(&path);
        assert_eq!(seen.len(), 1);
        let err = result.expect_err("truncated list");
        assert_eq!(err.field.as_deref(), Some("index 1"));
    }

    #[test]
    fn gzip_is_detected_by_content_and_fake_gzip_is_one_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"{\"a\":1}\n{\"a\":2}\n").expect("gzip");
        let bytes = gz.finish().expect("gzip");
        let path = write(dir.path(), "a.jsonl.gz", &bytes);
        let (seen, result) = collect(&path);
        assert!(result.is_ok());
        assert_eq!(seen.len(), 2);

        let fake = write(dir.path(), "b.jsonl.gz", b"{\"a\":1}\n");
        let err = collect(&fake).1.expect_err("not gzip");
        assert!(err.message.contains("not a gzip file"), "{err}");

        let truncated = write(dir.path(), "c.jsonl.gz", &bytes[..bytes.len() / 2]);
        let (_, result) = collect(&truncated);
        assert!(result.is_err());
    }

    #[test]
    fn first_record_stops_early() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "a.json", b"[{\"sat\":1}, {\"broken\": ");
        let first = first_record(&path).expect("first record");
        assert!(first.is_some_and(|v| v.get("sat").is_some()));
        let empty = write(dir.path(), "e.jsonl", b"\n \n");
        assert!(first_record(&empty).expect("empty").is_none());
    }

    #[test]
    fn record_accessors_name_line_and_field() {
        let obj = serde_json::json!({"s": "x", "n": 3, "l": ["a", 2], "z": null});
        let Value::Object(obj) = obj else {
            unreachable!()
        };
        let rec = Record {
            path: Path::new("f.jsonl"),
            loc: Loc::Line(7),
            obj: &obj,
        };
        assert_eq!(rec.str("s").ok(), Some("x"));
        let e = rec.str("n").expect_err("number");
        assert_eq!(e.field.as_deref(), Some("line 7: n"));
        assert!(e.message.contains("found a number"));
        assert!(rec.str("missing").is_err());
        assert!(rec.str("z").is_err());
        assert_eq!(rec.opt_str("z").ok(), Some(None));
        assert!(
            rec.str_list("l")
                .is_err_and(|e| e.message.contains("element 1"))
        );
        assert_eq!(rec.id("n").ok().as_deref(), Some("3"));
    }

    #[test]
    fn py_str_escapes_like_python() {
        assert_eq!(py_str("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    #[test]
    fn dedent_removes_common_indent() {
        assert_eq!(dedent("    a\n      b\n\n    c"), "a\n  b\n\nc");
    }

    #[test]
    fn lenient_u64_accepts_numbers_and_numeric_strings() {
        assert_eq!(lenient_u64(&serde_json::json!(5)), Some(5));
        assert_eq!(
            lenient_u64(&serde_json::json!("268435456")),
            Some(268435456)
        );
        assert_eq!(lenient_u64(&serde_json::json!(2.0)), Some(2));
        assert_eq!(lenient_u64(&serde_json::json!(-1)), None);
        assert_eq!(lenient_u64(&serde_json::json!(1.5)), None);
    }
}
