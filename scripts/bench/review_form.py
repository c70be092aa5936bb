#!/usr/bin/env python3
"""Walk a survey like a browser (standard library only) and print the review page's form as an
urlencoded body, without the sealed attempt fields (attempt, seed, started, seal: see
mint_attempts.py), plus the CSRF cookie on the first line and the start form's body on the third.

Usage: review_form.py BASE_URL SURVEY_KEY
Output line 1: insikt_csrf cookie value; line 2: body without the sealed fields, ending in
nav=submit; line 3: the start form's body (for mint_attempts.py).
Every radio group and checkbox group gets its first option, text fields "x", numbers 3, so the
answers pass validation; bounded to 30 pages."""
import sys, urllib.request, urllib.parse, http.cookiejar
from html.parser import HTMLParser

class Form(HTMLParser):
    def __init__(self):
        super().__init__(); self.fields = []; self.radios = {}; self.selects = []; self.cur = None; self.text = []
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "input":
            t, n, v = a.get("type", "text"), a.get("name"), a.get("value", "")
            if not n or t in ("submit", "button"): return
            if t == "hidden": self.fields.append((n, v))
            elif t in ("radio", "checkbox"):
                if n not in self.radios: self.radios[n] = v
            elif n != "website": self.text.append((n, t))
        elif tag == "textarea" and a.get("name"): self.text.append((a["name"], "textarea"))
        elif tag == "select" and a.get("name"): self.cur = a["name"]
        elif tag == "option" and self.cur and a.get("value"):
            self.selects.append((self.cur, a["value"])); self.cur = None

def fill(html):
    f = Form(); f.feed(html)
    fields = list(f.fields) + list(f.radios.items()) + f.selects
    for n, t in f.text:
        fields.append((n, "3" if t == "number" or "inputmode" in t else "x"))
    return fields

base, key = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
html = op.open(f"{base}/s/{key}").read().decode()
fields = fill(html) + [("consent", "1")]
start_body = urllib.parse.urlencode(fields)
html = op.open(f"{base}/s/{key}/start", start_body.encode()).read().decode()
for _ in range(30):
    fields = fill(html)
    page = dict(fields).get("page")
    if "name=\"nav\" value=\"submit\"" in html:
        break
    try:
        html = op.open(f"{base}/s/{key}", urllib.parse.urlencode(fields + [("nav", "next")]).encode()).read().decode()
    except urllib.error.HTTPError as e:
        html = e.read().decode(); sys.exit(f"page {page} refused: {e.code}\n{html[:3000]}")
else:
    sys.exit("no review page after 30 steps")
cookie = next(c.value for c in jar if c.name == "insikt_csrf")
sealed = ("attempt", "seed", "started", "seal")
body = [(n, v) for n, v in fields if n not in sealed] + [("nav", "submit")]
print(cookie)
print(urllib.parse.urlencode(body))
print(start_body)
