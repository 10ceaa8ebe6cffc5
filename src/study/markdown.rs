//! The Markdown subset lesson bodies are written in (content/README.md): paragraphs, `## `
//! headings, `- ` and `1. ` lists, `**bold**`. Parsed into blocks, then built into elements
//! holding text nodes, so no lesson text is ever interpreted as HTML.

use crate::components::dom::{attr, el, text};
use web_sys::Node;

/// One block of a lesson body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    Heading(&'a str),
    /// Consecutive lines of text, joined with a space as Markdown does.
    Paragraph(Vec<&'a str>),
    /// A list; `start` is the first number of a numbered list, `None` for bullets.
    List {
        start: Option<u32>,
        items: Vec<&'a str>,
    },
}

/// The blocks of `body`. Anything outside the subset is kept as plain text.
pub fn blocks(body: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    // A blank line ends a paragraph; lists continue over blank lines, as in Markdown.
    let mut in_paragraph = false;
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            in_paragraph = false;
            continue;
        }
        let (numbered, item) = match list_item(line) {
            Some(found) => found,
            None => {
                if let Some(heading) = line.strip_prefix("## ") {
                    blocks.push(Block::Heading(heading.trim()));
                    in_paragraph = false;
                } else if let (true, Some(Block::Paragraph(lines))) =
                    (in_paragraph, blocks.last_mut())
                {
                    lines.push(line);
                } else {
                    blocks.push(Block::Paragraph(vec![line]));
                    in_paragraph = true;
                }
                continue;
            }
        };
        in_paragraph = false;
        match blocks.last_mut() {
            Some(Block::List { start, items }) if start.is_some() == numbered.is_some() => {
                items.push(item);
            }
            _ => blocks.push(Block::List {
                start: numbered,
                items: vec![item],
            }),
        }
    }
    blocks
}

/// `(number, text)` of a `- ` or `N. ` list item.
fn list_item(line: &str) -> Option<(Option<u32>, &str)> {
    if let Some(text) = line.strip_prefix("- ") {
        return Some((None, text));
    }
    let (number, text) = line.split_once(". ")?;
    let number = (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| number.parse().ok())
        .flatten()?;
    Some((Some(number), text))
}

/// The runs of a line: `(bold, text)`, alternating at each `**`; empty runs are left out.
pub fn spans(line: &str) -> impl Iterator<Item = (bool, &str)> {
    line.split("**")
        .enumerate()
        .map(|(i, text)| (i % 2 == 1, text))
        .filter(|(_, text)| !text.is_empty())
}

/// Appends `body` to `parent` as elements: `## ` headings become `<h2>` (the lesson's title
/// is the page's `<h1>`).
pub fn render(parent: &Node, body: &str) {
    for block in blocks(body) {
        match block {
            Block::Heading(line) => runs(&el(parent, "h2", ""), line),
            Block::Paragraph(lines) => runs(&el(parent, "p", ""), &lines.join(" ")),
            Block::List { start, items } => {
                let list = el(parent, if start.is_some() { "ol" } else { "ul" }, "");
                if let Some(start) = start.filter(|&n| n != 1) {
                    attr(&list, "start", &start.to_string());
                }
                for item in items {
                    runs(&el(&list, "li", ""), item);
                }
            }
        }
    }
}

/// Appends a line's runs to `parent`, the bold ones in `<strong>`.
fn runs(parent: &Node, line: &str) {
    for (bold, run) in spans(line) {
        if bold {
            text(parent, "strong", "", run);
        } else {
            let _ = parent.append_child(&leptos::prelude::document().create_text_node(run));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_lists_are_told_apart() {
        let body = "## 方针\n\n坚持**安全第一**的方针。\n\n- **安全第一**：先保安全。\n- 预防为主\n\n1. 知情权\n2. 拒绝权\n\n结尾。";
        assert_eq!(
            blocks(body),
            [
                Block::Heading("方针"),
                Block::Paragraph(vec!["坚持**安全第一**的方针。"]),
                Block::List {
                    start: None,
                    items: vec!["**安全第一**：先保安全。", "预防为主"]
                },
                Block::List {
                    start: Some(1),
                    items: vec!["知情权", "拒绝权"]
                },
                Block::Paragraph(vec!["结尾。"]),
            ]
        );
    }

    #[test]
    fn a_list_goes_on_over_blank_lines_and_a_paragraph_ends_it() {
        let body = "- 一\n\n- 二\n文字\n- 三\n3. 第三\n4. 第四";
        assert_eq!(
            blocks(body),
            [
                Block::List {
                    start: None,
                    items: vec!["一", "二"]
                },
                Block::Paragraph(vec!["文字"]),
                Block::List {
                    start: None,
                    items: vec!["三"]
                },
                Block::List {
                    start: Some(3),
                    items: vec!["第三", "第四"]
                },
            ]
        );
    }

    #[test]
    fn consecutive_lines_make_one_paragraph() {
        assert_eq!(
            blocks("第一行\n第二行\n\n下一段"),
            [
                Block::Paragraph(vec!["第一行", "第二行"]),
                Block::Paragraph(vec!["下一段"])
            ]
        );
    }

    #[test]
    fn markup_outside_the_subset_stays_text() {
        assert_eq!(
            blocks("### 小标题\n<b>x</b>\n12.5 元\n2024. 年"),
            [
                Block::Paragraph(vec!["### 小标题", "<b>x</b>", "12.5 元"]),
                Block::List {
                    start: Some(2024),
                    items: vec!["年"]
                }
            ]
        );
    }

    #[test]
    fn bold_runs_alternate_at_each_double_star() {
        let runs: Vec<_> = spans("拨打**120**或**119**。").collect();
        assert_eq!(
            runs,
            [
                (false, "拨打"),
                (true, "120"),
                (false, "或"),
                (true, "119"),
                (false, "。")
            ]
        );
        assert_eq!(spans("**全粗**").collect::<Vec<_>>(), [(true, "全粗")]);
    }
}
