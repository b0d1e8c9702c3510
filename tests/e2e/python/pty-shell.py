# An interactive BusyBox shell on a pseudo-terminal, driven the way a
# terminal emulator drives one (pty.fork, a window size, keys typed with
# pauses): arithmetic, the terminal's name and size, Ctrl-C interrupting a
# command, Ctrl-Z stopping one and fg bringing it back, Ctrl-D on cat's
# input, and the exit status. Prints what it saw, one fact a line, so the
# output is the same on any Linux.
import fcntl, os, pty, re, select, struct, sys, termios, time

BB = sys.argv[1] if len(sys.argv) > 1 else "/bin/busybox"

pid, master = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.execv(BB, [BB, "sh", "-i"])

fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
seen = b""


def read_for(seconds):
    global seen
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if not select.select([master], [], [], left)[0]:
            break
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data


def typed(keys, wait=0.6):
    os.write(master, keys)
    read_for(wait)


read_for(0.5)
typed(b"echo sum=$((6*7))\n")
typed(b"tty\n")
typed(b"stty size\n")
typed(b"sleep 100\n")
typed(b"\x03")
typed(b"echo after-interrupt\n")
typed(b"sleep 100\n")
typed(b"\x1a")
typed(b"jobs\n")
typed(b"fg\n")
typed(b"\x03")
typed(b"cat\n")
typed(b"line for cat\n")
typed(b"\x04")
typed(b"echo $((1+1)) done\n")
typed(b"exit 3\n", 1.0)
_, status = os.waitpid(pid, 0)

text = seen.decode(errors="replace")
print("sum echoed:", "sum=42" in text)
print("tty name:", bool(re.search(r"^/dev/pts/\d+\r$", text, re.M)))
print("stty size:", "24 80" in text)
print("^C echoed:", "^C" in text)
print("went on after ^C:", "\nafter-interrupt\r" in text)
print("stopped:", bool(re.search(r"Stopped\s+sleep 100", text)))
print("cat echoed its line:", text.count("line for cat") == 2)
print("after ^D:", "2 done" in text)
print("exit status:", os.waitstatus_to_exitcode(status))
