package report

import (
	"encoding/base64"
	"fmt"
	"html"
	"strings"
)

// document is the report as a list of blocks that render both to Markdown and to HTML, so the
// two files always hold the same content.
type document struct {
	title  string
	blocks []block
}

type block interface {
	markdown(b *strings.Builder)
	html(b *strings.Builder, images map[string][]byte)
}

type heading struct {
	level int
	text  string
}

type paragraph struct{ text string }

type list struct{ items []string }

type table struct {
	header []string
	rows   [][]string
	// align is "l" or "r" per column; missing entries mean left.
	align []string
}

// figureBlock shows figures/NAME.png; the Markdown links the file and the HTML embeds it.
type figureBlock struct {
	name, title, caption string
}

func (d *document) add(b ...block) { d.blocks = append(d.blocks, b...) }

func (h heading) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "%s %s\n\n", strings.Repeat("#", h.level), h.text)
}

func (h heading) html(b *strings.Builder, _ map[string][]byte) {
	fmt.Fprintf(b, "<h%d id=\"%s\">%s</h%d>\n", h.level, anchor(h.text), html.EscapeString(h.text), h.level)
}

func (p paragraph) markdown(b *strings.Builder) { fmt.Fprintf(b, "%s\n\n", p.text) }

func (p paragraph) html(b *strings.Builder, _ map[string][]byte) {
	fmt.Fprintf(b, "<p>%s</p>\n", inlineHTML(p.text))
}

func (l list) markdown(b *strings.Builder) {
	for _, it := range l.items {
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}

func (l list) html(b *strings.Builder, _ map[string][]byte) {
	b.WriteString("<ul>\n")
	for _, it := range l.items {
		fmt.Fprintf(b, "<li>%s</li>\n", inlineHTML(it))
	}
	b.WriteString("</ul>\n")
}

func (t table) markdown(b *strings.Builder) {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("|")
	for _, h := range t.header {
		fmt.Fprintf(b, " %s |", cell(h))
	}
	b.WriteString("\n|")
	for i := range t.header {
		if t.alignOf(i) == "r" {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("|")
		for _, c := range r {
			fmt.Fprintf(b, " %s |", cell(c))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func (t table) alignOf(i int) string {
	if i < len(t.align) {
		return t.align[i]
	}
	return "l"
}

func (t table) html(b *strings.Builder, _ map[string][]byte) {
	b.WriteString("<table>\n<thead><tr>")
	for _, h := range t.header {
		fmt.Fprintf(b, "<th>%s</th>", inlineHTML(h))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for i, c := range r {
			class := ""
			if t.alignOf(i) == "r" {
				class = ` class="num"`
			}
			fmt.Fprintf(b, "<td%s>%s</td>", class, inlineHTML(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}

func (f figureBlock) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "![%s](figures/%s.png)\n\n*%s* %s ([SVG](figures/%s.svg))\n\n", f.title, f.name, f.title, f.caption, f.name)
}

func (f figureBlock) html(b *strings.Builder, images map[string][]byte) {
	b.WriteString("<figure>\n")
	if png, ok := images[f.name]; ok {
		fmt.Fprintf(b, "<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n", html.EscapeString(f.title), base64.StdEncoding.EncodeToString(png))
	}
	fmt.Fprintf(b, "<figcaption><b>%s</b> %s</figcaption>\n</figure>\n", html.EscapeString(f.title), inlineHTML(f.caption))
}

// markdown renders the document as GitHub-flavoured Markdown.
func (d *document) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", d.title)
	for _, bl := range d.blocks {
		bl.markdown(&b)
	}
	return b.String()
}

// htmlPage renders the document as one self-contained HTML page with the PNG of each figure
// embedded as a data URI; images maps figure names to PNG bytes.
func (d *document) htmlPage(images map[string][]byte) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", html.EscapeString(d.title), pageStyle)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", html.EscapeString(d.title))
	for _, bl := range d.blocks {
		bl.html(&b, images)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

const pageStyle = `body { font-family: system-ui, sans-serif; max-width: 75em; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; }
code { background: #f5f5f5; padding: 0 0.2em; }
`

// inlineHTML escapes s and renders the Markdown inline forms the report uses: `code` and
// **bold**.
func inlineHTML(s string) string {
	s = html.EscapeString(s)
	s = replacePairs(s, "`", "<code>", "</code>")
	s = replacePairs(s, "**", "<b>", "</b>")
	return s
}

// replacePairs replaces alternate occurrences of delim with open and close; an unpaired last
// delimiter stays as it is.
func replacePairs(s, delim, open, close string) string {
	parts := strings.Split(s, delim)
	if len(parts) < 3 {
		return s
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1 && i%2 == 1:
			b.WriteString(delim)
		case i%2 == 1:
			b.WriteString(open)
		default:
			b.WriteString(close)
		}
		b.WriteString(p)
	}
	return b.String()
}

// anchor turns a heading into an HTML id: lower case, letters and digits, other runs as "-".
func anchor(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
