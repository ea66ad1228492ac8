// A small flowing layout over pdf-lib: text with wrapping, key/value tables, page breaks, footers.
import { type PDFDocument, type PDFFont, type PDFPage, type RGB, StandardFonts, rgb } from 'pdf-lib';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 40;
export const FOOTER = 36;

export class PdfLayout {
  page!: PDFPage;
  y = 0;
  private constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    private readonly charset: Set<number>,
  ) {
    this.newPage();
  }

  static async create(doc: PDFDocument): Promise<PdfLayout> {
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    return new PdfLayout(doc, regular, bold, new Set(regular.getCharacterSet()));
  }

  get width(): number {
    return A4[0] - 2 * MARGIN;
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** Starts a new page unless `height` points still fit above the footer. */
  ensure(height: number): void {
    if (this.y - height < MARGIN + FOOTER) this.newPage();
  }

  /** Text the standard fonts can encode (WinAnsi): other characters become '?'. */
  clean(text: string): string {
    return Array.from(text.replace(/[\r\n\t]+/g, ' '), (c) => (this.charset.has(c.codePointAt(0)!) ? c : '?')).join('');
  }

  wrap(text: string, size: number, width: number, font = this.regular): string[] {
    const lines: string[] = [];
    for (const para of text.split('\n')) {
      let line = '';
      for (const word of this.clean(para).split(' ')) {
        const next = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(next, size) <= width || !line) line = next;
        else {
          lines.push(line);
          line = word;
        }
        while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
          let cut = line.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
          lines.push(line.slice(0, cut));
          line = line.slice(cut);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  text(text: string, opts: { size?: number; bold?: boolean; color?: RGB; indent?: number; gapAfter?: number } = {}): void {
    const size = opts.size ?? 9.5;
    const font = opts.bold ? this.bold : this.regular;
    const indent = opts.indent ?? 0;
    for (const line of this.wrap(text, size, this.width - indent, font)) {
      this.ensure(size * 1.3);
      this.page.drawText(line, { x: MARGIN + indent, y: this.y - size, size, font, color: opts.color ?? rgb(0, 0, 0) });
      this.y -= size * 1.3;
    }
    this.y -= opts.gapAfter ?? 0;
  }

  heading(text: string): void {
    this.ensure(40);
    this.y -= 8;
    this.text(text, { size: 13, bold: true, color: rgb(0.1, 0.2, 0.45), gapAfter: 2 });
  }

  /** Rows of key: value, the key column `keyWidth` points wide. */
  table(rows: [string, string][], keyWidth = 150, size = 9): void {
    for (const [k, v] of rows) {
      const lines = this.wrap(v || '-', size, this.width - keyWidth);
      this.ensure(size * 1.3 * lines.length);
      this.page.drawText(this.clean(k), { x: MARGIN, y: this.y - size, size, font: this.bold });
      for (const line of lines) {
        this.page.drawText(line, { x: MARGIN + keyWidth, y: this.y - size, size, font: this.regular });
        this.y -= size * 1.3;
      }
    }
    this.y -= 4;
  }

  /** Columns of a grid table with a bold header row; widths in points. */
  grid(header: string[], rows: string[][], widths: number[], size = 8.5): void {
    const draw = (cells: string[], font: PDFFont) => {
      this.ensure(size * 1.35);
      let x = MARGIN;
      cells.forEach((c, i) => {
        let t = this.clean(c);
        while (t.length > 1 && font.widthOfTextAtSize(t, size) > widths[i] - 4) t = t.slice(0, -1);
        this.page.drawText(t, { x, y: this.y - size, size, font });
        x += widths[i];
      });
      this.y -= size * 1.35;
    };
    draw(header, this.bold);
    for (const r of rows) draw(r, this.regular);
    this.y -= 4;
  }

  /** The disclaimer, software version and page numbers at the foot of every page. */
  footers(left: string): void {
    const pages = this.doc.getPages();
    pages.forEach((p, i) => {
      p.drawLine({ start: { x: MARGIN, y: MARGIN + 14 }, end: { x: A4[0] - MARGIN, y: MARGIN + 14 }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
      p.drawText(this.clean(left), { x: MARGIN, y: MARGIN, size: 7.5, font: this.regular, color: rgb(0.3, 0.3, 0.3) });
      const right = `page ${i + 1} of ${pages.length}`;
      p.drawText(right, {
        x: A4[0] - MARGIN - this.regular.widthOfTextAtSize(right, 7.5),
        y: MARGIN,
        size: 7.5,
        font: this.regular,
        color: rgb(0.3, 0.3, 0.3),
      });
    });
  }
}
