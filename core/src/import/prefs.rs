//! Android shared preferences files (`<map><string name="…">…</string>…</map>`), where several
//! apps keep their accounts. Read with `roxmltree`, which refuses DTDs (so no entity expansion).

use zeroize::Zeroizing;

use super::{Format, ImportError};

/// Whether the text looks like a shared preferences file (an XML declaration or `<map>` first).
pub(crate) fn is_prefs(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with("<?xml") || text.starts_with("<map")
}

/// The `(name, value)` pairs of the file, in its order: the text of `<string>` elements, the
/// `value` attribute of the others (`<int>`, `<boolean>`, `<long>`).
pub(crate) fn parse(
    text: &str,
    format: Format,
) -> Result<Vec<(String, Zeroizing<String>)>, ImportError> {
    let bad = |detail: String| ImportError::malformed(format, detail);
    let document = roxmltree::Document::parse(text)
        .map_err(|e| bad(format!("not a valid shared preferences file: {e}")))?;
    let root = document.root_element();
    if root.tag_name().name() != "map" {
        return Err(bad(format!(
            "the root element is <{}>, expected <map>",
            root.tag_name().name()
        )));
    }
    root.children()
        .filter(roxmltree::Node::is_element)
        .map(|node| {
            let name = node.attribute("name").ok_or_else(|| {
                bad(format!(
                    "a <{}> element has no name",
                    node.tag_name().name()
                ))
            })?;
            let value = node
                .attribute("value")
                .or_else(|| node.text())
                .unwrap_or_default();
            Ok((name.to_owned(), Zeroizing::new(value.to_owned())))
        })
        .collect()
}

/// The value of the first entry named `name`.
pub(crate) fn get<'a>(entries: &'a [(String, Zeroizing<String>)], name: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_entities_and_damage() {
        let text = r#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<map>
    <int name="n" value="3" />
    <string name="s">{&quot;a&quot;:1}</string>
    <string name="empty"></string>
</map>"#;
        let entries = parse(text, Format::FreeOtp).unwrap();
        assert_eq!(get(&entries, "n"), Some("3"));
        assert_eq!(get(&entries, "s"), Some(r#"{"a":1}"#));
        assert_eq!(get(&entries, "empty"), Some(""));
        assert!(parse(&text[..text.len() - 8], Format::FreeOtp).is_err());
        assert!(parse("<other/>", Format::FreeOtp).is_err());
        let bomb = r#"<!DOCTYPE m [<!ENTITY a "aaaa">]><map><string name="x">&a;</string></map>"#;
        assert!(parse(bomb, Format::FreeOtp).is_err());
    }
}
