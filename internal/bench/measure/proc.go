package measure

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is a process's resident memory now and at its peak, in bytes.
type Memory struct {
	RSS, HWM int64
}

// ProcMemory reads VmRSS and VmHWM from /proc/PID/status (its kB are KiB).
func ProcMemory(pid int) (Memory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	return parseStatus(bufio.NewScanner(f), pid)
}

func parseStatus(sc *bufio.Scanner, pid int) (Memory, error) {
	var m Memory
	var seenRSS bool
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		fields := strings.Fields(value) // "12345 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return Memory{}, fmt.Errorf("/proc/%d/status: unexpected %s line %q", pid, name, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("/proc/%d/status: %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			m.RSS, seenRSS = kb*1024, true
		} else {
			m.HWM = kb * 1024
		}
	}
	if err := sc.Err(); err != nil {
		return Memory{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	if !seenRSS {
		return Memory{}, fmt.Errorf("/proc/%d/status has no VmRSS line", pid)
	}
	return m, nil
}
