package cost

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// decimals is how many decimals an amount in currency is shown with: none
// for currencies without minor units in practice (JPY, KRW), two otherwise.
func decimals(currency string) int {
	switch currency {
	case "JPY", "KRW":
		return 0
	}
	return 2
}

// Round rounds an amount as it is displayed in currency (half away from
// zero), never giving -0.
func Round(v float64, currency string) float64 {
	p := math.Pow10(decimals(currency))
	// Rounding at 1e-9 first keeps binary noise (0.1+0.2) from deciding a
	// half-cent.
	r := math.Round(math.Round(v*p*1e6)/1e6) / p
	if r == 0 {
		return 0
	}
	return r
}

var symbols = map[string]string{"USD": "$", "EUR": "€", "JPY": "¥", "GBP": "£"}

// Money formats an amount in currency: "¥12,345", "$1,234.56", "-€3.00",
// "1,234.56 CHF".
func Money(v float64, currency string) string {
	v = Round(v, currency)
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals(currency), 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	out := b.String()
	if sym, ok := symbols[currency]; ok {
		out = sym + out
	} else {
		out += " " + currency
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Percent formats a change: "+12.3%", "-4.0%".
func Percent(p float64) string {
	return fmt.Sprintf("%+.1f%%", p)
}

// change is the relative change of v against base in percent; ok is false
// when base is zero (no meaningful percentage).
func change(v, base float64) (float64, bool) {
	if base == 0 {
		return 0, false
	}
	return (v - base) / math.Abs(base) * 100, true
}

const sparks = "▁▂▃▄▅▆▇█"

// Sparkline draws values with ▁..█, scaled between their minimum and
// maximum (all ▁ when flat).
func Sparkline(values []float64) string {
	if len(values) == 0 {
		return ""
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	levels := []rune(sparks)
	var b strings.Builder
	for _, v := range values {
		i := 0
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(levels)-1)))
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}
