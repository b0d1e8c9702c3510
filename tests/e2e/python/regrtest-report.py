"""Compares CPython regression test runs made natively and under persona.

    python3 regrtest-report.py SUITE DIR MODULE...

For each MODULE, DIR holds MODULE.native.{out,err,status,secs} and
MODULE.persona.{out,err,status,secs}: regrtest's stdout, its stderr with the
@@regrtest lines of regrtest-record.py, the exit status (124 or 137: cut off
by the time limit) and the wall time. Prints one "PASS SUITE/MODULE" or
"FAIL SUITE/MODULE" line per module, then the side-by-side table, the test
cases that pass natively but not under persona (and the other way round)
and the unimplemented system calls persona reported.

A module passes when both runs finished on their own, regrtest printed its
summary, and every test the summary counts has a recorded outcome: that is,
the counts are complete. How many tests fail under persona is reported, not
judged.
"""
import collections
import os
import re
import sys

TAG = "@@regrtest"
# worst outcome wins when a test has several (failing subtests, then ok)
RANK = {"skipped": 0, "ok": 1, "xfail": 1, "xpass": 2, "FAIL": 3, "ERROR": 4}
LIST_MAX = int(os.environ.get("PY_REGRTEST_LIST_MAX", "80"))


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


class Run:
    def __init__(self, base):
        self.out = read(base + ".out")
        self.err = read(base + ".err")
        self.status = read(base + ".status", "?").strip() or "?"
        self.secs = read(base + ".secs", "?").strip() or "?"
        self.started = []          # test ids, in order
        self.outcome = {}          # test id -> status
        self.detail = {}           # test id -> detail of its worst outcome
        self.secs_of = {}
        for line in self.err.splitlines():
            if not line.startswith(TAG + "\t"):
                continue
            f = line.split("\t")
            if len(f) < 5:
                continue
            status, tid, secs, detail = f[1], f[2], f[3], "\t".join(f[4:])
            if status == "start":
                self.started.append(tid)
                continue
            old = self.outcome.get(tid)
            if old is None or RANK.get(status, 0) > RANK.get(old, 0):
                self.outcome[tid] = status
                self.detail[tid] = detail
            if secs != "-":
                self.secs_of[tid] = secs
        m = re.findall(r"^Ran (\d+) tests? in ", self.out, re.M)
        self.ran = int(m[-1]) if m else None
        self.summary = bool(re.search(r"^Tests result: ", self.out, re.M))
        self.unimpl = sorted(set(re.findall(
            r"^persona: unimplemented syscall (\S+ \(\d+\))", self.err, re.M)))

    def timed_out(self):
        return self.status in ("124", "137") or bool(self.watchdog())

    def counts(self):
        c = collections.Counter(self.outcome.values())
        return (c["ok"] + c["xfail"], c["FAIL"] + c["xpass"], c["ERROR"],
                c["skipped"])

    def watchdog(self):
        """the traceback faulthandler printed when regrtest's --timeout
        fired, most recent call first, or None"""
        m = re.search(r"^Timeout \(\d+:\d\d:\d\d\)!\n((?:.*\n){0,8})", self.err, re.M)
        return m and m.group(0)

    def missing(self):
        """started tests without an outcome (the one running when cut off)"""
        return [t for t in self.started if t not in self.outcome]

    def problems(self):
        """why the counts of this run cannot be trusted, if they cannot"""
        where = self.missing()[-1] if self.missing() else "?"
        if self.watchdog():
            return ["regrtest's --timeout fired after %s s, in %s"
                    % (self.secs, where)]
        p = []
        if self.timed_out():
            p.append("cut off by the time limit after %s s, in %s"
                     % (self.secs, where))
        elif not self.summary:
            p.append("regrtest ended (exit status %s) without its summary"
                     % self.status)
        if self.ran is None:
            p.append("no 'Ran N tests' line")
        elif self.ran != len(self.started):
            p.append("unittest ran %d tests, %d recorded as started"
                     % (self.ran, len(self.started)))
        if self.missing():
            p.append("no outcome for %d started tests, first: %s"
                     % (len(self.missing()), where))
        return p


def tail(text, n):
    lines = [l for l in text.splitlines() if not l.startswith(TAG)
             and l.strip()]
    return "\n".join(lines[-n:])


def indent(text, prefix="    "):
    return "\n".join(prefix + l for l in text.splitlines())


def main():
    suite, d, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
    runs = {}
    verdict_lines = []
    for m in modules:
        n = Run(os.path.join(d, m + ".native"))
        p = Run(os.path.join(d, m + ".persona"))
        runs[m] = (n, p)
        bad = ["native: " + x for x in n.problems()]
        bad += ["persona: " + x for x in p.problems()]
        if not bad:
            verdict_lines.append("PASS %s/%s" % (suite, m))
        else:
            verdict_lines.append("FAIL %s/%s" % (suite, m))
            verdict_lines.append(indent("\n".join(bad)))
            for side, r in (("native", n), ("persona", p)):
                if r.watchdog():
                    verdict_lines.append(indent("%s: %s" % (side, r.watchdog().rstrip())))
                elif r.problems():
                    verdict_lines.append(indent(
                        "%s output, last lines:\n%s" % (side, tail(r.out + "\n" + r.err, 12))))
    print("\n".join(verdict_lines))

    # the side-by-side table
    hdr = ("module", "native pass/fail/err/skip", "secs",
           "persona pass/fail/err/skip", "secs", "ran n/p")
    rows = []
    tot = [[0] * 4, [0] * 4]
    for m in modules:
        n, p = runs[m]
        cn, cp = n.counts(), p.counts()
        for i in range(4):
            tot[0][i] += cn[i]
            tot[1][i] += cp[i]
        pstatus = p.secs + ("*" if p.timed_out() else "")
        rows.append((m, "/".join(map(str, cn)), n.secs, "/".join(map(str, cp)),
                     pstatus, "%s/%s" % (n.ran if n.ran is not None else "-",
                                         p.ran if p.ran is not None else "-")))
    rows.append(("total", "/".join(map(str, tot[0])), "", "/".join(map(str, tot[1])),
                 "", ""))
    w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
    print("    python regression tests, natively and under persona "
          "(test cases: passed/failed/errors/skipped; * = cut off):")
    for r in [hdr] + rows:
        print("    " + "  ".join(str(x).ljust(w[i]) if i == 0 else str(x).rjust(w[i])
                                  for i, x in enumerate(r)))

    # per test case differences
    for m in modules:
        n, p = runs[m]
        worse, better = [], []
        ids = list(dict.fromkeys(n.started + list(n.outcome)))
        for t in ids:
            ns = n.outcome.get(t)
            ps = p.outcome.get(t, "not run" if t not in p.started else "no outcome")
            good_n = ns in ("ok", "xfail")
            good_p = ps in ("ok", "xfail")
            if good_n and not good_p:
                detail = p.detail.get(t, "")
                worse.append((t, ps, detail))
            elif good_p and not good_n:
                better.append((t, ns))
        for t in p.outcome:
            if t not in n.outcome and t not in n.started and p.outcome[t] not in ("ok", "xfail", "skipped"):
                worse.append((t, p.outcome[t], p.detail.get(t, "")))
        notrun = [w for w in worse if w[1] == "not run"]
        worse = [w for w in worse if w[1] != "not run"]
        if worse or notrun:
            print("    %s: %d test cases pass natively but not under persona:"
                  % (m, len(worse) + len(notrun)))
            for t, s, detail in worse[:LIST_MAX]:
                short = t[len("test." + m) + 1:] if t.startswith("test." + m + ".") else t
                # lower case: a CI log is searched for FAIL to find what broke
                print("      %-7s %s%s" % (s.lower(), short, ("  -- " + detail[:110]) if detail else ""))
            if len(worse) > LIST_MAX:
                print("      ... and %d more (in the logs)" % (len(worse) - LIST_MAX))
            if notrun:
                print("      not run %d test cases: the run ended before them" % len(notrun))
        if better:
            print("    %s: %d test cases pass under persona but not natively:" % (m, len(better)))
            for t, s in better[:LIST_MAX]:
                print("      native %s: %s" % (s.lower(), t))
    unimpl = sorted(set(x for m in modules for x in runs[m][1].unimpl))
    if unimpl:
        print("    unimplemented system calls persona reported: " + ", ".join(unimpl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
