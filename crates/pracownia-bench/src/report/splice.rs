//! `--update`: the sections just run put in place of the same sections of an existing report,
//! and their summary rows in place of the old ones; everything else is kept as it was.

use super::{heading, Report};

/// `old` with each section of `report` in place of the same-numbered `## N.` section (or before
/// the hand-written notes when it is new), and `report`'s summary rows in place of rows with the
/// same label. `when` says when and where the sections were run (date, commit, load).
pub fn splice(old: &str, report: &Report, when: &str) -> String {
    let mut md = old.to_owned();
    for (section, text) in &report.sections {
        let head = heading(*section);
        let replacement = format!(
            "{head}\n\n{}\n\n_Run alone with `--sections {} --update` {when}._\n\n",
            text.trim_end(),
            section.name()
        );
        // Found by number, so a retitled section still replaces its old self.
        let number = format!("## {}.", section.number());
        let at = md.match_indices(&number).map(|(i, _)| i).find(|&i| i == 0 || md[..i].ends_with('\n'));
        if let Some(start) = at {
            let end = md[start + number.len()..].find("\n## ").map_or(md.len(), |e| start + number.len() + e + 1);
            md.replace_range(start..end, &replacement);
        } else if let Some(notes) = md.find("\n## Notes") {
            md.insert_str(notes + 1, &replacement);
        } else {
            md.push('\n');
            md.push_str(&replacement);
        }
    }
    for row in &report.summary {
        let prefix = format!("| {} |", row.label());
        let mut lines: Vec<String> = md.lines().filter(|l| !l.starts_with(&prefix)).map(str::to_owned).collect();
        let Some(title) = lines.iter().position(|l| l == "## Summary") else { continue };
        // "## Summary", a blank line, the header, the rule, the rows: insert after the last row.
        let mut end = (title + 2).min(lines.len());
        while end < lines.len() && lines[end].starts_with('|') {
            end += 1;
        }
        lines.insert(end, row.markdown());
        md = lines.join("\n") + "\n";
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Section;
    use crate::report::{SummaryRow, Verdict};

    const OLD: &str = "# Pracownia benchmarks\n\n## Summary\n\n| item | figure | target | verdict |\n\
        |---|---|---|---|\n| 1 ingest (1 MiB chunks) | ratio 0.5 | ≥ 0.8 | **missed** |\n\
        | 6 encryption (1 MiB chunks) | old | (report) | — |\n| 11 frame time | x | ≤ 1.1 | met |\n\n\
        ## 1. Ingest vs the physical limit\n\nold ingest\n\n## 6. Encryption (CURVE) cost\n\nold curve\n\n\
        ## Notes (hand-written)\n\nnotes\n";

    fn report(sections: &[(Section, &str)], rows: Vec<SummaryRow>) -> Report {
        Report { sections: sections.iter().map(|(s, t)| (*s, t.to_string())).collect(), summary: rows }
    }

    #[test]
    fn a_section_and_its_row_replace_the_old_ones_only() {
        let row =
            SummaryRow::new(Section::Encryption, "encryption (1 MiB chunks)", "new", "(report)", Verdict::Reported);
        let md = splice(OLD, &report(&[(Section::Encryption, "new curve\n")], vec![row]), "on D at commit C");
        assert!(md.contains("## 6. Encryption (CURVE) cost\n\nnew curve\n\n_Run alone with `--sections encryption --update` on D at commit C._\n\n## Notes"), "{md}");
        assert!(!md.contains("old curve") && !md.contains("| old |"), "{md}");
        assert!(md.contains("## 1. Ingest vs the physical limit\n\nold ingest\n"), "{md}");
        // The other rows stay, the new one goes after the last row of the table.
        assert!(
            md.contains(
                "| 11 frame time | x | ≤ 1.1 | met |\n| 6 encryption (1 MiB chunks) | new | (report) | — |\n\n## 1."
            ),
            "{md}"
        );
        assert_eq!(md.matches("| 6 encryption").count(), 1);
        assert!(md.contains("| 1 ingest (1 MiB chunks) | ratio 0.5 |"));
    }

    #[test]
    fn a_new_section_goes_before_the_notes() {
        let row =
            SummaryRow::new(Section::Memory, "memory (64 MiB file)", "peak 30", "< 64 MiB, flat", Verdict::of(true));
        let md = splice(OLD, &report(&[(Section::Memory, "memory text")], vec![row]), "now");
        let memory =
            md.find("## 2. Memory bound\n\nmemory text\n\n_Run alone with `--sections memory --update` now._").unwrap();
        assert!(md.find("## 6.").unwrap() < memory && memory < md.find("## Notes").unwrap(), "{md}");
        assert!(md.contains("| 2 memory (64 MiB file) | peak 30 | < 64 MiB, flat | met |\n"));
        assert!(md.ends_with("notes\n"));
    }
}
