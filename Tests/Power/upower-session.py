#!/usr/bin/python3
"""A real upowerd for bgxfer's tests, on a simulated AC adapter and battery (umockdev).

Run as:  umockdev-wrapper /usr/bin/python3 upower-session.py --bus unix:path=SOCKET --dir DIR

umockdev-wrapper preloads libumockdev-preload, which upowerd inherits: it then sees only the
test bed's devices, power_supply/AC (online) and power_supply/BAT0 (charging). upowerd runs on
the D-Bus system bus at --bus (the tests' own), keeping its history and configuration under DIR.
The script prints "ready" once upowerd answers on the bus, then takes one command a line on
stdin and prints the answer once upowerd has announced the change:

    ac 0    unplug: prints "on-battery true"
    ac 1    plug in: prints "on-battery false"

At EOF on stdin it stops upowerd and exits 0. Debian's python3 with gi (python3-gi) and the
UMockdev typelib (gir1.2-umockdev-1.0) are needed.
"""
import argparse
import os
import subprocess
import sys
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def on_battery(bus):
    answer = subprocess.run(
        ["busctl", "--address=" + bus, "get-property", "org.freedesktop.UPower", "/org/freedesktop/UPower",
         "org.freedesktop.UPower", "OnBattery"], capture_output=True, text=True).stdout.strip()
    return {"b true": True, "b false": False}.get(answer)


def await_value(bus, wanted, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if on_battery(bus) == wanted:
            return True
        time.sleep(0.02)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bus", required=True)
    parser.add_argument("--dir", required=True)
    options = parser.parse_args()
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        sys.exit("upower-session.py: run it under umockdev-wrapper")

    bed = UMockdev.Testbed.new()
    ac = bed.add_device("power_supply", "AC", None, ["type", "Mains", "online", "1"], [])
    battery = bed.add_device(
        "power_supply", "BAT0", None,
        ["type", "Battery", "present", "1", "status", "Charging", "energy_full", "60000000",
         "energy_full_design", "80000000", "energy_now", "48000000", "voltage_now", "12000000",
         "power_now", "10000000"], ["POWER_SUPPLY_ONLINE", "1"])
    history = os.path.join(options.dir, "history")
    os.makedirs(history, exist_ok=True)
    environment = dict(
        os.environ, UMOCKDEV_DIR=bed.get_root_dir(), DBUS_SYSTEM_BUS_ADDRESS=options.bus, UPOWER_HISTORY_DIR=history,
        UPOWER_CONF_FILE_NAME=os.path.join(options.dir, "UPower.conf"))
    log = open(os.path.join(options.dir, "upowerd.log"), "w")
    daemon = subprocess.Popen(["/usr/libexec/upowerd", "-v"], env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not await_value(options.bus, False):
            sys.exit("upower-session.py: upowerd did not answer on the bus within 10 s")
        print("ready", flush=True)
        for line in sys.stdin:
            words = line.split()
            if words[:1] != ["ac"] or words[1:] not in (["0"], ["1"]):
                print("error: unknown command " + line.strip(), flush=True)
                continue
            online = words[1]
            bed.set_attribute(ac, "online", online)
            bed.set_attribute(battery, "status", "Charging" if online == "1" else "Discharging")
            bed.uevent(ac, "change")
            bed.uevent(battery, "change")
            wanted = online == "0"
            if await_value(options.bus, wanted):
                print("on-battery " + ("true" if wanted else "false"), flush=True)
            else:
                print("error: OnBattery did not change", flush=True)
    finally:
        daemon.terminate()
        daemon.wait()


if __name__ == "__main__":
    main()
