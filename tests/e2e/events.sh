#!/usr/bin/env bash
# Event loops through a real program: Python's asyncio, whose selector is
# epoll, with sleeps, timeouts, subprocesses talking over pipes, a signal
# handler (set_wakeup_fd), and select.epoll used directly in both modes.
# Each must behave as it does natively. (asyncio wakes itself through an
# AF_UNIX socketpair, so that is exercised too.)
. "$(dirname "$0")/lib.sh"

if ! [ -x /usr/bin/python3 ]; then
	echo "SKIP $SUITE: needs /usr/bin/python3"
	exit 0
fi

prelude='
import asyncio, os, signal, socket, sys
'

same asyncio-sleep /usr/bin/python3 -c "$prelude
asyncio.run(asyncio.sleep(0.1)); print('ok')"

same asyncio-gather-timeout /usr/bin/python3 -c "$prelude
async def main():
    print(await asyncio.gather(*(asyncio.sleep(0.01 * i, result=i) for i in range(8))))
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.05)
    except asyncio.TimeoutError:
        print('timed out')
asyncio.run(main())"

same asyncio-subprocess /usr/bin/python3 -c "$prelude
async def main():
    p = await asyncio.create_subprocess_exec('echo', 'from the child', stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate()
    print(out.decode().strip(), p.returncode)
    p = await asyncio.create_subprocess_shell('cat; exit 3', stdin=asyncio.subprocess.PIPE,
                                              stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate(b'through cat\n' * 5000)
    print(len(out), p.returncode)
asyncio.run(main())"

same asyncio-signal /usr/bin/python3 -c "$prelude
async def main():
    loop = asyncio.get_running_loop()
    got = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, got.set_result, 'usr1')
    loop.call_later(0.05, os.kill, os.getpid(), signal.SIGUSR1)
    print(await asyncio.wait_for(got, 5))
asyncio.run(main())"

same select-epoll /usr/bin/python3 -c '
import os, select
r, w = os.pipe()
os.set_blocking(r, False)
lt, et = select.epoll(), select.epoll()
lt.register(r, select.EPOLLIN)
et.register(r, select.EPOLLIN | select.EPOLLET)
print(lt.poll(0), et.poll(0))
os.write(w, b"ab")
print(lt.poll(0), et.poll(0))
print(lt.poll(0), et.poll(0))
os.read(r, 10)
os.write(w, b"c")
print(lt.poll(1), et.poll(1))
os.close(w)
print(lt.poll(1), et.poll(1))'

finish
