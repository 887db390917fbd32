/** Characters XML 1.0 cannot hold at all, not even escaped: C0 controls but tab and newlines, lone surrogates, U+FFFE and U+FFFF. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `s` with every character XML 1.0 forbids written as a visible `\xNN` (or `\uNNNN`), so the document stays well-formed. */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
