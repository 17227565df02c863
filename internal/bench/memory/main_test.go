package main

import (
	"os"
	"testing"
)

func TestMemOfSelf(t *testing.T) {
	rss, hwm, err := memOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || hwm < rss {
		t.Errorf("RSS %.1f MB, peak %.1f MB: want 0 < RSS <= peak", rss, hwm)
	}
}

func TestGCD(t *testing.T) {
	tests := []struct{ a, b, want int }{
		{7919, 10000, 1},
		{12, 18, 6},
		{5, 0, 5},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			if got := gcd(tt.a, tt.b); got != tt.want {
				t.Errorf("gcd(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
