package muxverify

import (
	"fmt"
	"strings"
	"time"
)

// HumanDuration writes d (rounded to the second) in at most its two largest
// units, such as "3d 4h", "2h 5m" or "42s". A negative d is written as its
// absolute value.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	var out []string
	for _, u := range units {
		n := d / u.size
		if n == 0 && len(out) > 0 {
			break
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%d%s", n, u.name))
			d -= n * u.size
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "0s"
	}
	return strings.Join(out, " ")
}
