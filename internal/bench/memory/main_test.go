package main

import "testing"

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
