// The header line naming who sends with a wrong class code (Stats.wrong_code from the receiver).
// Logins and hosts come from refused, unsigned messages: the receiver already made them inert and
// short, and Svelte inserts them as text, never as HTML.
import { formatClock } from "./format";
import { translate, translatePlural } from "./i18n";
import type { Language, WrongCodeSender } from "./types";

/** How many logins the line names before "…" (the tooltip lists everyone). */
export const NAMED = 3;

export function wrongCodeLine(lang: Language, senders: WrongCodeSender[]): { text: string; title: string } | null {
  if (senders.length === 0) return null;
  const names = senders.slice(0, NAMED).map((s) => s.login);
  if (senders.length > NAMED) names.push("…");
  const text = translatePlural(lang, "status.wrong_code", senders.length, { names: names.join(", ") });
  const who = senders.map((s) =>
    translate(lang, s.host ? "status.wrong_code_who_host" : "status.wrong_code_who", {
      login: s.login,
      host: s.host ?? "",
      count: s.count,
      time: formatClock(s.last, lang),
    }),
  );
  return { text, title: [translate(lang, "status.wrong_code_title"), ...who].join("\n") };
}
