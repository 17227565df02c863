// Package measure holds the small pieces of arithmetic and /proc reading
// that the bench, load and e2e tools share: medians, percentiles and a
// process's resident memory.
package measure

import (
	"math"
	"slices"
	"time"
)

// Median is the median of xs (the mean of the middle two for an even
// count), or 0 for none. xs is not changed.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of sorted,
// or 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
