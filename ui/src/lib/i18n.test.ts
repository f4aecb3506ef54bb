import { describe, expect, test } from "vitest";
import { catalogues, faultSentence, FAULT_SENTENCES, rejectLabel, thinSentence, translatePlural } from "./i18n";

describe("refusal labels", () => {
  test("every code the receiver counts has a label in both languages", () => {
    const codes = [
      "frame_count", "bad_topic", "unknown_kind", "header_too_large", "bad_mac", "bad_json", "missing_field",
      "bad_uuid", "bad_login", "bad_name", "bad_field", "bad_body", "bad_chunk", "too_large",
      "too_many_transfers", "disk_full", "conflict", "corrupt", "bad_file", "unregistered",
      "deceptive_login", "receiver_busy", "rate_limited", "replay", "key_mismatch",
      "too_many_ids",
    ];
    for (const code of codes) {
      for (const lang of ["en", "pl"] as const) {
        expect(rejectLabel(lang, code)).not.toBe(code);
        expect(catalogues[lang][`reject.${code}` as keyof (typeof catalogues)["en"]]).toBeTruthy();
      }
    }
    expect(rejectLabel("pl", "bad_mac")).toBe("zły kod zajęć");
    expect(rejectLabel("en", "a_code_from_a_newer_receiver")).toBe("a_code_from_a_newer_receiver");
  });
});

describe("Polish plurals of the new sentences", () => {
  test("erase: 1 plik, 2 pliki, 5 plików, 22 pliki", () => {
    const what = (n: number) => translatePlural("pl", "erase.what", n, { size: "1 MB" }).split(" (")[0];
    expect([1, 2, 5, 22, 12].map(what)).toEqual(["1 plik", "2 pliki", "5 plików", "22 pliki", "12 plików"]);
  });
  test("collect: z 1 osoby, z 3 osób, z 25 osób", () => {
    const done = (n: number) => translatePlural("pl", "collect.done", n, { collected: 1 });
    expect(done(1)).toBe("Zebrano prace 1 z 1 osoby.");
    expect(done(3)).toBe("Zebrano prace 1 z 3 osób.");
    expect(done(25)).toBe("Zebrano prace 1 z 25 osób.");
  });
});

describe("faults on the lecturer's side", () => {
  test("each has a sentence in both languages, naming the student", () => {
    for (const [fault, key] of Object.entries(FAULT_SENTENCES)) {
      for (const lang of ["en", "pl"] as const) {
        expect(catalogues[lang][key]).toBeTruthy();
      }
      expect(faultSentence("pl", fault as keyof typeof FAULT_SENTENCES, "ola")).not.toMatch(/\{login\}/);
    }
    expect(faultSentence("pl", "store_file", "ola")).toMatch(/^Nie udało się zachować pliku od ola/);
    expect(faultSentence("en", "socket", null)).toMatch(/Stop and start receiving again/);
  });
});

describe("thinning, with a plural form for each count", () => {
  test("Polish: 1 zrzut, 2 zrzuty, 5 zrzutów, 22 zrzuty; wersja, wersje, wersji", () => {
    const shots = (n: number) => translatePlural("pl", "thin.screenshots", n);
    expect([1, 2, 5, 22, 12].map(shots)).toEqual(["1 zrzut", "2 zrzuty", "5 zrzutów", "22 zrzuty", "12 zrzutów"]);
    const blends = (n: number) => translatePlural("pl", "thin.blends", n);
    expect([1, 3, 5, 24].map(blends)).toEqual(["1 wersja .blend", "3 wersje .blend", "5 wersji .blend", "24 wersje .blend"]);
    expect(thinSentence("pl", "thin.would", { screenshots: 12, blends: 3 }, "45 MB")).toBe(
      "Przerzedzanie usunie: 12 zrzutów i 3 wersje .blend (45 MB).",
    );
  });
  test("English: singular and plural", () => {
    expect(thinSentence("en", "thin.would", { screenshots: 12, blends: 3 }, "45 MB")).toBe(
      "Thinning would remove 12 screenshots and 3 .blend versions (45 MB).",
    );
    expect(thinSentence("en", "thin.done", { screenshots: 1, blends: 1 }, "2 MB")).toBe("Removed 1 screenshot and 1 .blend version (2 MB).");
  });
});
