#!/usr/bin/env python3
"""Start N answering attempts the way a browser does (POST /s/KEY/start) and print each one's
sealed fields as an urlencoded fragment, one a line: attempt=…&seed=…&started=…&seal=….
The server seals every attempt it starts (only it can), so a load test of submissions needs
attempts minted first. Standard library only; 8 threads.

Usage: mint_attempts.py BASE_URL SURVEY_KEY CSRF_COOKIE START_BODY N"""
import sys, re, urllib.request, urllib.parse
from concurrent.futures import ThreadPoolExecutor

base, key, cookie, start_body, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
NAMES = ("attempt", "seed", "started", "seal")

def mint(_):
    req = urllib.request.Request(f"{base}/s/{key}/start", start_body.encode(),
                                 headers={"Cookie": f"insikt_csrf={cookie}"})
    html = urllib.request.urlopen(req).read().decode()
    values = []
    for name in NAMES:
        m = re.search(f'name="{name}" value="([^"]*)"', html)
        if not m:
            sys.exit(f"the start page has no {name} field")
        values.append((name, m.group(1)))
    return urllib.parse.urlencode(values)

with ThreadPoolExecutor(8) as pool:
    for line in pool.map(mint, range(n)):
        print(line)
