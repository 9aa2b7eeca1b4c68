package sns

import "testing"

// The cases follow the examples of the SNS developer guide's "Amazon SNS
// message filtering" pages (attribute and payload-based policies).
func TestFilterPolicyAttributes(t *testing.T) {
	str := func(v string) messageAttribute { return messageAttribute{DataType: "String", StringValue: v} }
	num := func(v string) messageAttribute { return messageAttribute{DataType: "Number", StringValue: v} }
	arr := func(v string) messageAttribute { return messageAttribute{DataType: "String.Array", StringValue: v} }
	type attrs = map[string]messageAttribute
	cases := []struct {
		name   string
		policy string
		attrs  attrs
		want   bool
	}{
		{"exact string", `{"customer_interests":["rugby","football"]}`, attrs{"customer_interests": str("rugby")}, true},
		{"exact string, no match", `{"customer_interests":["rugby"]}`, attrs{"customer_interests": str("soccer")}, false},
		{"missing attribute", `{"customer_interests":["rugby"]}`, attrs{}, false},
		{"string array attribute", `{"customer_interests":["rugby"]}`, attrs{"customer_interests": arr(`["soccer","rugby"]`)}, true},
		{"keys are ANDed", `{"store":["example_corp"],"event":["order_placed"]}`, attrs{"store": str("example_corp"), "event": str("order_cancelled")}, false},
		{"exact number", `{"price_usd":[100]}`, attrs{"price_usd": num("100.0")}, true},
		{"number condition, string attribute", `{"price_usd":[100]}`, attrs{"price_usd": str("100")}, false},
		{"string condition, number attribute", `{"price_usd":["100"]}`, attrs{"price_usd": num("100")}, false},
		{"numeric range inside", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, attrs{"price_usd": num("150")}, true},
		{"numeric range outside", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, attrs{"price_usd": num("150.5")}, false},
		{"numeric exclusive bound", `{"price_usd":[{"numeric":[">",0]}]}`, attrs{"price_usd": num("0")}, false},
		{"numeric equals", `{"price_usd":[{"numeric":["=",301.5]}]}`, attrs{"price_usd": num("301.5")}, true},
		{"prefix", `{"customer_interests":[{"prefix":"bas"}]}`, attrs{"customer_interests": str("baseball")}, true},
		{"prefix, no match", `{"customer_interests":[{"prefix":"bas"}]}`, attrs{"customer_interests": str("rugby")}, false},
		{"suffix", `{"customer_interests":[{"suffix":"ball"}]}`, attrs{"customer_interests": str("baseball")}, true},
		{"equals-ignore-case", `{"customer_interests":[{"equals-ignore-case":"TENNIS"}]}`, attrs{"customer_interests": str("Tennis")}, true},
		{"anything-but value", `{"customer_interests":[{"anything-but":"rugby"}]}`, attrs{"customer_interests": str("baseball")}, true},
		{"anything-but excluded", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, attrs{"customer_interests": str("tennis")}, false},
		{"anything-but needs the attribute", `{"customer_interests":[{"anything-but":"rugby"}]}`, attrs{}, false},
		{"anything-but number", `{"price":[{"anything-but":[100,500]}]}`, attrs{"price": num("100")}, false},
		{"anything-but prefix", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, attrs{"event": str("invoice-paid")}, true},
		{"anything-but prefix excluded", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, attrs{"event": str("order-placed")}, false},
		{"exists true", `{"store":[{"exists":true}]}`, attrs{"store": str("x")}, true},
		{"exists true, absent", `{"store":[{"exists":true}]}`, attrs{}, false},
		{"exists false", `{"store":[{"exists":false}]}`, attrs{"other": str("x")}, true},
		{"exists false, present", `{"store":[{"exists":false}]}`, attrs{"store": str("x")}, false},
		{"cidr", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs{"source_ip": str("10.0.0.255")}, true},
		{"cidr outside", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs{"source_ip": str("10.0.1.0")}, false},
		{"$or first branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			attrs{"source": str("aws.cloudwatch"), "metricName": str("CPUUtilization")}, true},
		{"$or second branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			attrs{"source": str("aws.cloudwatch"), "namespace": str("AWS/EC2")}, true},
		{"$or no branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			attrs{"source": str("aws.cloudwatch")}, false},
		{"binary attribute matches nothing", `{"blob":["x"]}`, attrs{"blob": {DataType: "Binary", BinaryValue: []byte("x")}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantMatch(t, tc.policy, "MessageAttributes", "", tc.attrs, tc.want) })
	}
}

// wantMatch parses policy for scope and checks whether it accepts the
// message of body and attrs.
func wantMatch(t *testing.T, policy, scope, body string, attrs map[string]messageAttribute, want bool) {
	t.Helper()
	p, err := parseFilterPolicy(policy, scope)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got := p.accepts(body, attrs); got != want {
		t.Errorf("match = %v, want %v", got, want)
	}
}

func TestFilterPolicyBody(t *testing.T) {
	const order = `{"store":"example_corp","event":"order-placed","customer":{"interests":["basketball","rugby"],"age":37},
		"price":315.5,"payment":{"method":"card","details":{"issuer":"Example Bank"}},"coupon":null}`
	cases := []struct {
		name   string
		policy string
		body   string
		want   bool
	}{
		{"top-level key", `{"store":["example_corp"]}`, order, true},
		{"nested key", `{"payment":{"method":["card"]}}`, order, true},
		{"deeply nested", `{"payment":{"details":{"issuer":[{"prefix":"Example"}]}}}`, order, true},
		{"array value matches any element", `{"customer":{"interests":["rugby"]}}`, order, true},
		{"nested number range", `{"customer":{"age":[{"numeric":[">=",18,"<",65]}]}}`, order, true},
		{"AND across levels fails", `{"store":["example_corp"],"customer":{"age":[{"numeric":["<",18]}]}}`, order, false},
		{"null value", `{"coupon":[null]}`, order, true},
		{"nested exists false", `{"payment":{"voucher":[{"exists":false}]}}`, order, true},
		{"object is not a value", `{"payment":["card"]}`, order, false},
		{"body not JSON", `{"store":["example_corp"]}`, "plain text", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantMatch(t, tc.policy, "MessageBody", tc.body, nil, tc.want) })
	}
}

func TestFilterPolicyValidation(t *testing.T) {
	cases := []struct {
		name   string
		policy string
		scope  string
		ok     bool
	}{
		{"valid", `{"a":["x",1,{"prefix":"p"}]}`, "MessageAttributes", true},
		{"not JSON", `{"a":`, "MessageAttributes", false},
		{"value not an array", `{"a":"x"}`, "MessageAttributes", false},
		{"empty array", `{"a":[]}`, "MessageAttributes", false},
		{"empty policy", `{}`, "MessageAttributes", false},
		{"nested in attribute scope", `{"a":{"b":["x"]}}`, "MessageAttributes", false},
		{"nested in body scope", `{"a":{"b":["x"]}}`, "MessageBody", true},
		{"unknown operator", `{"a":[{"wildcard-ish":"x"}]}`, "MessageAttributes", false},
		{"two operators in one object", `{"a":[{"prefix":"x","suffix":"y"}]}`, "MessageAttributes", false},
		{"exists not boolean", `{"a":[{"exists":"yes"}]}`, "MessageAttributes", false},
		{"numeric bad operator", `{"a":[{"numeric":["!=",1]}]}`, "MessageAttributes", false},
		{"numeric upside down", `{"a":[{"numeric":[">",10,"<",5]}]}`, "MessageAttributes", false},
		{"numeric upper before lower", `{"a":[{"numeric":["<",10,">",5]}]}`, "MessageAttributes", false},
		{"number too large", `{"a":[1000000001]}`, "MessageAttributes", false},
		{"boolean value", `{"a":[true]}`, "MessageAttributes", false},
		{"six keys", `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`, "MessageAttributes", false},
		{"five keys", `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}`, "MessageAttributes", true},
		{"too many combinations", `{"a":["1","2","3","4","5","6"],"b":["1","2","3","4","5"],"c":["1","2","3","4","5","6"]}`, "MessageAttributes", false},
		{"$or with one branch", `{"$or":[{"a":["1"]}]}`, "MessageAttributes", false},
		{"bad cidr", `{"a":[{"cidr":"10.0.0.0/33"}]}`, "MessageAttributes", false},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, "MessageAttributes", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFilterPolicy(tc.policy, tc.scope)
			if (err == nil) != tc.ok {
				t.Errorf("parse error = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
