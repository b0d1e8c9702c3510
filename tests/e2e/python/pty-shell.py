# An interactive BusyBox shell on a pseudo-terminal, driven the way a
# terminal emulator drives one (pty.fork, a window size, keys): arithmetic,
# the terminal's name and size, Ctrl-C interrupting a command, Ctrl-Z
# stopping one and fg bringing it back, Ctrl-D ending cat's input, and the
# exit status. Each key waits for what it should bring (a prompt, an echo)
# rather than for a fixed time, so a slow machine does not change the
# story. Prints what it saw, one fact a line, the same on any Linux.
import fcntl, os, pty, re, select, signal, struct, sys, termios, time

BB = sys.argv[1] if len(sys.argv) > 1 else "/bin/busybox"
PROMPT = "$ "

pid, master = pty.fork()
if pid == 0:
    # as a terminal emulator starts a shell: job-control signals at their
    # defaults, even if this script was started with them ignored
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(sig, signal.SIG_DFL)
    os.environ["PS1"] = PROMPT
    os.execv(BB, [BB, "sh", "-i"])

fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
seen = ""
timeouts = []


def expect(what, limit=20):
    """Reads until `what` (a regex) shows in the new output."""
    global seen
    start = len(seen)
    end = time.monotonic() + limit
    while not re.search(what, seen[start:], re.S):
        left = end - time.monotonic()
        if left <= 0 or not select.select([master], [], [], left)[0]:
            timeouts.append(what)
            return
        try:
            data = os.read(master, 4096)
        except OSError:
            return
        if not data:
            return
        seen += data.decode(errors="replace")


def typed(keys, what):
    os.write(master, keys)
    expect(what)


def settle():
    """A command started and reads the terminal: let it get there."""
    time.sleep(0.5)


prompt = re.escape(PROMPT)
expect(prompt)
typed(b"echo sum=$((6*7))\n", "sum=42.*" + prompt)
typed(b"tty\n", prompt)
typed(b"stty size\n", prompt)
typed(b"sleep 100\n", r"sleep 100\r\n")
settle()
typed(b"\x03", prompt)
typed(b"echo after-interrupt\n", "\nafter-interrupt.*" + prompt)
typed(b"sleep 100\n", r"sleep 100\r\n")
settle()
typed(b"\x1a", "Stopped.*" + prompt)
typed(b"jobs\n", prompt)
typed(b"fg\n", r"sleep 100\r\n")
settle()
typed(b"\x03", prompt)
typed(b"cat\n", r"cat\r\n")
settle()
typed(b"line for cat\n", r"line for cat\r\n.*line for cat\r\n")
typed(b"\x04", prompt)
typed(b"echo $((1+1)) done\n", "2 done.*" + prompt)
os.write(master, b"exit 3\n")
expect("$^")		# to the end of the output (EIO once the shell is gone)
for _ in range(100):	# the shell has 10 s to end; then it is killed
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)

print("sum echoed:", "sum=42" in seen)
print("tty name:", bool(re.search(r"^/dev/pts/\d+\r$", seen, re.M)))
print("stty size:", "24 80" in seen)
print("^C echoed:", "^C" in seen)
print("went on after ^C:", "\nafter-interrupt\r" in seen)
print("stopped:", bool(re.search(r"Stopped\s+sleep 100", seen)))
print("cat echoed its line:", seen.count("line for cat") == 2)
print("after ^D:", "2 done" in seen)
print("exit status:", os.waitstatus_to_exitcode(status))
print("waited in vain for:", timeouts[:-1] if timeouts[-1:] == ["$^"] else timeouts)
