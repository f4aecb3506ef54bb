import { describe, expect, test } from "vitest";
import { NAMED, wrongCodeLine } from "./wrongcode";

const sender = (login: string, host: string | null = null) => ({ login, host, count: 2, last: Date.UTC(2026, 0, 1, 10, 31, 5) });

describe("wrong class code line", () => {
  test("nobody named: no line", () => {
    expect(wrongCodeLine("en", [])).toBeNull();
  });
  test("names the first few, then …, with CLDR plurals in both languages", () => {
    const many = ["anna", "bartek", "celina", "dawid", "ewa"].map((l) => sender(l));
    expect(wrongCodeLine("en", many.slice(0, 1))?.text).toBe("1 student is using a wrong class code: anna");
    expect(wrongCodeLine("en", many.slice(0, 3))?.text).toBe("3 students are using a wrong class code: anna, bartek, celina");
    expect(wrongCodeLine("en", many)?.text).toBe("5 students are using a wrong class code: anna, bartek, celina, …");
    expect(wrongCodeLine("pl", many.slice(0, 1))?.text).toBe("1 osoba używa złego kodu zajęć: anna");
    expect(wrongCodeLine("pl", many.slice(0, 2))?.text).toBe("2 osoby używają złego kodu zajęć: anna, bartek");
    expect(wrongCodeLine("pl", many)?.text).toBe("5 osób używa złego kodu zajęć: anna, bartek, celina, …");
    const twentyTwo = Array.from({ length: 22 }, (_, i) => sender(`s${i}`));
    expect(wrongCodeLine("pl", twentyTwo)?.text.startsWith("22 osoby używają")).toBe(true);
    expect(NAMED).toBe(3);
  });
  test("the title lists everyone with host, count and time", () => {
    const title = wrongCodeLine("en", [sender("anna", "lab-07"), sender("bartek")])!.title.split("\n");
    expect(title).toHaveLength(3);
    expect(title[1]).toMatch(/^anna on lab-07 \(2 refused, last \d\d:\d\d:05\)$/);
    expect(title[2]).toMatch(/^bartek \(2 refused, last/);
    expect(wrongCodeLine("pl", [sender("anna", "lab-07")])!.title).toMatch(/anna na lab-07 \(odrzucono: 2, ostatnio/);
  });
});
