"""Runs CPython's regression test driver, as `python3 -m test ARGS...` would,
and records the outcome of every test case the moment it is known.

    python3 regrtest-record.py [REGRTEST ARGS...]

Each outcome is one line written with a single write(2) to a duplicate of
the standard error taken at start (non-inheritable, so child processes
neither get it nor can close it):

    @@regrtest<TAB>STATUS<TAB>TEST ID<TAB>SECONDS<TAB>DETAIL

STATUS is start (the test begins), ok, FAIL, ERROR, skipped, xfail
(expected failure) or xpass (unexpected success); a failing subtest gives a
FAIL or ERROR line for its test; DETAIL is the exception's type and message
or the skip reason. The lines are
streamed, so a run cut off by a time limit still tells what it did. Only the
process that started records: a forked child that ran on into the suite
would not be counted twice. tests/e2e/python-regrtest.sh reads them.
"""
import os
import time
import unittest.result

TAG = "@@regrtest"
_pid = os.getpid()
_fd = os.dup(2)
_start = {}


def _clean(s):
    return " ".join(str(s).split())[:200]


def _detail(err):
    exc, value = err[0], err[1]
    text = _clean(value)
    return exc.__name__ + (": " + text if text else "")


def _record(status, test, detail=""):
    if os.getpid() != _pid:
        return
    try:
        tid = test.id()
    except Exception:
        tid = str(test)
    t0 = _start.get(tid)
    secs = "%.2f" % (time.monotonic() - t0) if t0 is not None else "-"
    line = "\n%s\t%s\t%s\t%s\t%s\n" % (TAG, status, _clean(tid), secs, detail)
    try:
        os.write(_fd, line.encode("utf-8", "backslashreplace"))
    except OSError:
        pass


def _wrap(name, status, detail):
    orig = getattr(unittest.result.TestResult, name)

    def method(self, test, *args):
        try:
            _record(status, test, detail(*args))
        except Exception:
            pass
        return orig(self, test, *args)

    method.__name__ = name
    method.__wrapped__ = orig
    setattr(unittest.result.TestResult, name, method)


_wrap("addSuccess", "ok", lambda: "")
_wrap("addError", "ERROR", _detail)
_wrap("addFailure", "FAIL", _detail)
_wrap("addSkip", "skipped", _clean)
_wrap("addExpectedFailure", "xfail", lambda err: "")
_wrap("addUnexpectedSuccess", "xpass", lambda: "")

_orig_start = unittest.result.TestResult.startTest
_orig_subtest = unittest.result.TestResult.addSubTest


def _startTest(self, test):
    try:
        _start[test.id()] = time.monotonic()
        _record("start", test)
    except Exception:
        pass
    return _orig_start(self, test)


def _addSubTest(self, test, subtest, err):
    if err is not None:
        try:
            status = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            _record(status, test, _clean(subtest._subDescription()) + " " + _detail(err))
        except Exception:
            pass
    return _orig_subtest(self, test, subtest, err)


unittest.result.TestResult.startTest = _startTest
unittest.result.TestResult.addSubTest = _addSubTest

if __name__ == "__main__":
    from test.libregrtest import main
    main()
