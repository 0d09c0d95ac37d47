# Records libxml2's verdict on each case (see libxml2-probe.c): the first fatal error's message, line and cursor.
# Large inputs are described by a generator (the test builds the same text): deep N, attr N, text N.
import json, subprocess, sys, tempfile

probe = sys.argv[1]
CASES = [
    "<a>&#x110000;</a>", "<a>&#0;</a>", "<a b='&#0;'/>", "<a b='&#x110000;'/>", "<a>&#65;&#x42;</a>", "<a>&#;</a>",
    "<a>&#12a;</a>", "<a>&#xZZ;</a>", "<a>&;</a>", "<a>&amp</a>", "<a>&foo;</a>", "<a b='&foo;'/>", "<a b='x&#38;y'/>",
    "<a b>", "<a b=c/>", "<a b='<'/>", "<a b='1' b='2'/>", "<a b='1'c='2'/>", "<a\nb='1'\nc>", "<1a/>",
    "<a><!-- x", "<a><?pi x", "<a><b", "<a b='x", "<a></b", "<a></a", "<a><b></b  x></a>", "<a>]]></a>",
    "<a/><b/>", "<a>x</a>y", "  x<a/>", "", "  \n ", "this is not xml", "<a><b></b>\n", "<a><b></a>",
    "<?xml version='1.0'?>\n<!-- c -->\n<a x:y='1'><![CDATA[<b>]]></a>\n<!-- end -->\n",
    "<domain>\n  <name>x</name>\n  <memory unit='KiB'>1</memory>\n</domain>\n<extra/>",
    {"gen": "deep", "n": 257}, {"gen": "deep", "n": 258}, {"gen": "deep", "n": 5000},
    {"gen": "attr", "n": 10000000}, {"gen": "attr", "n": 10000001}, {"gen": "text", "n": 10000001},
]

def build(c):
    if isinstance(c, str): return c
    n = c["n"]
    if c["gen"] == "deep": return "<a>" * n + "</a>" * n
    if c["gen"] == "attr": return '<a b="' + "x" * n + '"/>'
    if c["gen"] == "text": return "<a>" + "x" * n + "</a>"

out = []
for c in CASES:
    with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
        f.write(build(c)); f.flush()
        lines = subprocess.run([probe, f.name], capture_output=True, text=True).stdout.splitlines()
    first = next((l for l in lines if l.startswith("line=")), None)
    err = None
    if first:
        head, msg = first.split(" msg=", 1)
        kv = dict(p.split("=") for p in head.split())
        err = {"line": int(kv["line"]), "cur": int(kv["cur"]), "message": msg}
    out.append({"input": c, "error": err})
print(json.dumps(out, indent=1))
