package costexplorer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Decimal is an amount written by hand in a seed: a YAML or JSON number or a
// string ("12.5", "0.0000012345"). It is kept as text so a seed's value is
// summed exactly, never through a float.
type Decimal string

// UnmarshalJSON accepts a JSON number as well as a string, because hand-written
// JSON seeds use both.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = Decimal(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("amount %s is neither a number nor a string", b)
	}
	*d = Decimal(n.String())
	return nil
}

// scale is the number of fractional digits kept. Cost Explorer prints up to
// ten ("0.0000034072"), so ten digits reproduce its amounts exactly.
const scale = 10

var pow10 = func() [scale + 1]int64 {
	var p [scale + 1]int64
	p[0] = 1
	for i := 1; i <= scale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// fixed is an amount in units of 10^-scale.
type fixed int64

// parseFixed reads a plain decimal ("-12.34"); exponents are refused because
// a seed amount is written by a person, not printed by a float formatter.
func parseFixed(s string) (fixed, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	if len(fp) > scale {
		return 0, fmt.Errorf("amount %q has more than %d decimals", s, scale)
	}
	// Digits only: ParseInt alone takes a sign, and fails only on overflow.
	iv, err := strconv.ParseInt(cmp.Or(ip, "0"), 10, 64)
	if err != nil || strings.Trim(ip+fp, "0123456789") != "" {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	fv, _ := strconv.ParseInt(fp+strings.Repeat("0", scale-len(fp)), 10, 64) // at most scale digits
	if iv > (math.MaxInt64-fv)/pow10[scale] {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	v := iv*pow10[scale] + fv
	if neg {
		v = -v
	}
	return fixed(v), nil
}

// String formats the amount the way Cost Explorer does: plain decimal, no
// trailing zeros, "0" for nothing.
func (f fixed) String() string {
	v := int64(f)
	neg := v < 0
	if neg {
		v = -v
	}
	ip, fp := v/pow10[scale], v%pow10[scale]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatInt(ip, 10))
	if fp != 0 {
		frac := strconv.FormatInt(fp, 10)
		b.WriteByte('.')
		b.WriteString(strings.Repeat("0", scale-len(frac)))
		b.WriteString(strings.TrimRight(frac, "0"))
	}
	return b.String()
}
