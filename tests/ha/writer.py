#!/usr/bin/env python3
"""writer.py - the load of the failover test: a steady, bounded stream of writes through
haproxy, a fault injected in the middle, then a check that no acknowledged write was lost.

Each write is POST /api/v1/persons with a unique full_name ("HA <run> <n>") and its own
Idempotency-Key; a write answered 503, or cut off without an answer, is sent again with the same
key (after min(Retry-After, 1) s) until it is acknowledged or the run ends, so a write that was
committed although its answer was lost is answered from the key, not made twice. Every attempt's
outcome is recorded (a line of JSON in --log): 2xx (acknowledged, "replayed" when the answer came
from the key), 503 with or without Retry-After, other statuses, client timeouts (a hang) and
connection errors. At --kill-at seconds the
--kill-cmd runs (the test kills the primary with it); writing goes on until writes have
succeeded without a failure for --settle seconds, or --max-seconds in all. Then every
acknowledged person is read back through the API, and the names are compared with the
database (--db-names-cmd prints the full_name of every person of this run, one per line): each
name must be there exactly once.

Prints a summary and exits 1 if an acknowledged write is lost or stored twice, or any request
got anything but
a 2xx or a 503 with Retry-After: a 500, a 502/504 from haproxy, a 4xx, a dropped connection, or
no answer within --timeout (a hang). Standard library only.
"""
import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


class Run:
    """What the workers share: the clock, the stop flag and the outcome of every request."""

    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.results = []  # dicts: n, start, end, kind, status, retry_after, id
        self.next_n = 0
        self.stop = threading.Event()
        self.kill_at = None  # seconds since t0 when the fault was injected

    def now(self):
        return time.monotonic() - self.t0

    def take_n(self):
        with self.lock:
            self.next_n += 1
            return self.next_n

    def record(self, res):
        with self.lock:
            self.results.append(res)


def request(url, token, method="GET", body=None, timeout=10.0, key=None):
    """One HTTP request: (status, headers, parsed JSON or None). Raises on no response."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if key is not None:
        req.add_header("Idempotency-Key", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, resp.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return e.code, e.headers, doc


def one_attempt(run, n, name, key, attempt):
    """Sends write n once; records and returns the outcome."""
    a = run.args
    res = {"n": n, "name": name, "attempt": attempt, "start": run.now(), "status": 0, "kind": "",
           "retry_after": None, "id": None, "replayed": False}
    try:
        status, headers, doc = request(a.url + "/api/v1/persons", a.token, "POST",
                                       {"full_name": name}, a.timeout, key)
        res["status"] = status
        res["retry_after"] = headers.get("Retry-After")
        if 200 <= status < 300:
            res["kind"] = "ok"
            res["id"] = doc.get("id") if isinstance(doc, dict) else None
            res["replayed"] = headers.get("Idempotent-Replayed") == "true"
        elif status == 503:
            res["kind"] = "503" if res["retry_after"] else "503-no-retry-after"
        else:
            res["kind"] = "http-%d" % status
    except (TimeoutError, OSError) as e:  # socket.timeout is TimeoutError since 3.10
        timed_out = isinstance(e, TimeoutError) or "timed out" in str(e)
        res["kind"] = "timeout" if timed_out else "conn-error"
        res["error"] = str(e)[:200]
    res["end"] = run.now()
    run.record(res)
    return res


def one_write(run):
    """One logical write: sent with its key, and again with the same key after a 503 or a lost
    answer, until acknowledged or the run stops (a retry never makes a second person)."""
    n = run.take_n()
    name = "HA %s %d" % (run.args.run_id, n)
    key = str(uuid.uuid4())
    attempt = 0
    while True:
        attempt += 1
        res = one_attempt(run, n, name, key, attempt)
        if res["kind"] not in ("503", "503-no-retry-after", "conn-error", "timeout"):
            return
        try:
            delay = min(float(res["retry_after"] or 1), 1.0)
        except ValueError:
            delay = 1.0
        if run.stop.wait(delay):
            return


def worker(run, period):
    """Writes one person every period seconds until told to stop."""
    nxt = run.now()
    while not run.stop.is_set():
        one_write(run)
        nxt += period
        delay = nxt - run.now()
        if delay > 0:
            run.stop.wait(delay)
        else:
            nxt = run.now()  # fell behind (a slow request): no burst to catch up


def settled(run):
    """After the fault: True once writes have only succeeded for --settle seconds since the
    last failure (and there was a failure, or --settle seconds passed without any)."""
    with run.lock:
        after = [r for r in run.results if r["start"] >= run.kill_at]
    if not after:
        return False
    fails = [r["end"] for r in after if r["kind"] != "ok"]
    last_bad = max(fails) if fails else run.kill_at
    oks = [r for r in after if r["kind"] == "ok" and r["start"] > last_bad]
    return bool(oks) and run.now() - last_bad >= run.args.settle


def read_back(run, acked):
    """Reads every acknowledged person through the API. Returns the ids not found."""
    a = run.args
    missing = []
    for r in acked:
        for attempt in range(5):
            try:
                status, _, doc = request("%s/api/v1/persons/%s" % (a.url, r["id"]), a.token,
                                         timeout=a.timeout)
            except OSError:
                status, doc = 0, None
            if status == 200:
                if doc.get("full_name") != r["name"]:
                    missing.append((r["id"], "name differs"))
                break
            if status == 404:
                missing.append((r["id"], "404"))
                break
            time.sleep(0.5 * (attempt + 1))  # 503 or no answer: the cluster is settling
        else:
            missing.append((r["id"], "unreadable (last status %d)" % status))
    return missing


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="base URL (haproxy)")
    p.add_argument("--token", required=True, help="API token of an hq or admin user")
    p.add_argument("--run-id", default=str(int(time.time())))
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--rate", type=float, default=40.0, help="writes per second, all threads")
    p.add_argument("--timeout", type=float, default=10.0, help="client timeout; beyond = hang")
    p.add_argument("--kill-at", type=float, default=5.0)
    p.add_argument("--kill-cmd", required=True, help="shell command that injects the fault")
    p.add_argument("--settle", type=float, default=10.0)
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument("--log", help="write every request's outcome here (JSON lines)")
    p.add_argument("--db-names-cmd", help="shell command printing this run's names in the DB")
    a = p.parse_args()

    run = Run(a)
    period = a.threads / a.rate
    threads = [threading.Thread(target=worker, args=(run, period), daemon=True)
               for _ in range(a.threads)]
    for t in threads:
        t.start()
        time.sleep(period / a.threads)

    run.stop.wait(a.kill_at)
    run.kill_at = run.now()
    print("writer: %.1f s: injecting the fault: %s" % (run.kill_at, a.kill_cmd), flush=True)
    kill = subprocess.run(a.kill_cmd, shell=True, check=False)
    if kill.returncode != 0:
        print("writer: the fault command failed (%d)" % kill.returncode, file=sys.stderr)
        run.stop.set()
        return 2
    while run.now() < a.max_seconds and not settled(run):
        time.sleep(0.2)
    gave_up = not settled(run)
    run.stop.set()
    for t in threads:
        t.join(a.timeout + 5)

    results = sorted(run.results, key=lambda r: r["end"])
    if a.log:
        with open(a.log, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")

    acked = [r for r in results if r["kind"] == "ok"]
    counts = {}
    for r in results:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    # Unavailability: from the first failed answer to the first success that started after
    # the last failed answer (concurrent requests may straddle the switch).
    fails = [r for r in results if r["kind"] != "ok"]
    outage = None
    if fails:
        first_bad, last_bad = fails[0]["end"], max(r["end"] for r in fails)
        back = [r["end"] for r in acked if r["start"] >= last_bad]
        if back:
            outage = (first_bad, min(back))
    missing = read_back(run, acked)
    db_missing = []
    duplicates = []
    unacked_present = None
    if a.db_names_cmd:
        out = subprocess.run(a.db_names_cmd, shell=True, check=False, capture_output=True,
                             text=True)
        if out.returncode != 0:
            print("writer: db-names-cmd failed: %s" % out.stderr.strip(), file=sys.stderr)
            db_missing = ["(query failed)"]
        else:
            listed = out.stdout.splitlines()
            names = set(listed)
            db_missing = [r["name"] for r in acked if r["name"] not in names]
            seen = {}
            for nm in listed:
                seen[nm] = seen.get(nm, 0) + 1
            duplicates = sorted(nm for nm, k in seen.items() if k > 1)
            # Not acknowledged but committed: the reply was lost and no retry came back.
            acked_names = {r["name"] for r in acked}
            unacked_present = len({r["name"] for r in results
                                   if r["name"] in names and r["name"] not in acked_names})

    retry_after = sorted({r["retry_after"] for r in results if r["kind"] == "503"})
    bad_kinds = {k: v for k, v in counts.items() if k not in ("ok", "503")}
    lost = len(missing) + len(db_missing)
    print("writer: outcomes: %s" % json.dumps(counts, sort_keys=True))
    if retry_after:
        print("writer: Retry-After values on 503: %s" % ", ".join(retry_after))
    if outage:
        print("writer: first failure at %.2f s, writes back at %.2f s (fault at %.2f s)"
              % (outage[0], outage[1], run.kill_at))
    if unacked_present is not None:
        print("writer: %d unacknowledged writes are in the database anyway (reply lost)"
              % unacked_present)
    for m in missing[:20]:
        print("writer: LOST (API): %s %s" % m)
    for m in db_missing[:20]:
        print("writer: LOST (database): %s" % m)
    for m in duplicates[:20]:
        print("writer: DUPLICATE (database): %s" % m)
    retried = len({r["n"] for r in results if r.get("attempt", 1) > 1 and r["kind"] == "ok"})
    replayed = sum(1 for r in acked if r.get("replayed"))
    print("writer: %d writes acknowledged after a retry with their key, %d of them replayed "
          "(committed before their answer was lost)" % (retried, replayed))
    other = sum(v for k, v in counts.items() if k not in ("ok", "503"))
    print("SUMMARY: %d acknowledged, %d lost, %d duplicated, %d 503s, %d other errors, "
          "unavailable for %s"
          % (len(acked), lost, len(duplicates), counts.get("503", 0), other,
             "%.1f s" % (outage[1] - outage[0]) if outage else
             ("0.0 s (no failed write)" if not fails else "ever (never recovered)")))
    ok = lost == 0 and not duplicates and not bad_kinds and not gave_up
    if bad_kinds:
        print("writer: FAIL: outcomes that must not happen: %s" % json.dumps(bad_kinds))
    if gave_up:
        print("writer: FAIL: writes did not settle within %.0f s" % a.max_seconds)
    if lost:
        print("writer: FAIL: %d acknowledged writes lost" % lost)
    if duplicates:
        print("writer: FAIL: %d writes stored twice" % len(duplicates))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
