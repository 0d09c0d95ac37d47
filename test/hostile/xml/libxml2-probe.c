// Records libxml2's first fatal error (message, line, cursor) for a document, parsed as libvirt does
// (xmlCtxtReadDoc, XML_PARSE_NONET | XML_PARSE_NOWARNING). Used to record test/hostile/xml/libxml2-errors.json:
//   gcc -o /tmp/probe test/hostile/xml/libxml2-probe.c $(pkg-config --cflags --libs libxml-2.0)
//   python3 test/hostile/xml/record.py /tmp/probe > test/hostile/xml/libxml2-errors.json
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <libxml/parser.h>
static void onerr(void *ctx, const char *msg, ...) {
  xmlParserCtxtPtr c = ctx; va_list ap; char buf[4096];
  va_start(ap, msg); vsnprintf(buf, sizeof buf, msg, ap); va_end(ap);
  if (c->lastError.level != XML_ERR_FATAL) return;
  printf("line=%d inputline=%d cur=%ld msg=%s", c->lastError.line, c->input ? c->input->line : -1, c->input ? (long)(c->input->cur - c->input->base) : -1L, buf);
}
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  char *b = malloc(n + 1); fread(b, 1, n, f); b[n] = 0;
  xmlParserCtxtPtr c = xmlNewParserCtxt(); c->sax->error = onerr; c->vctxt.error = onerr;
  xmlDocPtr d = xmlCtxtReadDoc(c, (const xmlChar *)b, "dev.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
  printf("doc=%s\n", d ? "ok" : "null");
  return 0;
}
