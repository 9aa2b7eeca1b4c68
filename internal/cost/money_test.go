package cost

import "testing"

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		currency string
		want     string
	}{
		{12345.5, "JPY", "¥12,346"},
		{-12345.4, "JPY", "-¥12,345"},
		{0.4, "JPY", "¥0"},
		{-0.4, "JPY", "¥0"},
		{1234.565, "USD", "$1,234.57"},
		{0.1 + 0.2, "USD", "$0.30"},
		{1000000, "EUR", "€1,000,000.00"},
		{-3.5, "EUR", "-€3.50"},
		{999.999, "GBP", "£1,000.00"},
		{1234.5, "CHF", "1,234.50 CHF"},
		{940.5, "JPY", "¥941"}, // 6.27 USD at 150: half away from zero
		{6.27 * 150, "JPY", "¥941"},
	} {
		if got := Money(tc.v, tc.currency); got != tc.want {
			t.Errorf("Money(%v, %s) = %q, want %q", tc.v, tc.currency, got, tc.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{5, 5, 5}, "▁▁▁"},
		{[]float64{-2, 0, 2}, "▁▅█"},
		{nil, ""},
	} {
		if got := Sparkline(tc.in); got != tc.want {
			t.Errorf("Sparkline(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestVersus(t *testing.T) {
	for _, tc := range []struct {
		v, base float64
		want    string
	}{
		{110, 100, "+10.0% (+$10.00)"},
		{90, 100, "-10.0% (-$10.00)"},
		{5, 0, "new (+$5.00)"},
		{0, 0, "no change"},
		{-5, -10, "+50.0% (+$5.00)"},
	} {
		if got := versus(tc.v, tc.base, "USD"); got != tc.want {
			t.Errorf("versus(%v, %v) = %q, want %q", tc.v, tc.base, got, tc.want)
		}
	}
}
