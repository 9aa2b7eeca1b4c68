package eventpattern

import (
	"errors"
	"testing"
)

// ec2Event is the EC2 state-change sample the EventBridge user guide uses
// throughout its event-pattern pages, with the extra detail fields its
// content-filtering examples refer to.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {
    "instance-id": "i-1234567890abcdef0",
    "state": "terminated",
    "service": "EventBridge",
    "FileName": "photo.PNG",
    "c-count": 5,
    "d-count": 7,
    "x-limit": 301.8,
    "source-ip": "10.0.0.123",
    "source-ipv6": "2001:db8:0:0:0:0:0:1",
    "responseElements": null,
    "eventVersion": "",
    "encrypted": true,
    "filePath": "/usr/lib/x.so",
    "tags": [{"key": "team", "value": "blue"}, {"key": "env", "value": "prod"}],
    "ports": [22, 443]
  }
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		event   string // ec2Event when empty
		want    bool
	}{
		// Event pattern syntax.
		{"exact source and detail-type", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, "", true},
		{"exact value mismatch", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, "", false},
		{"multiple values are OR", `{"source":["aws.ec2","aws.fargate"]}`, "", true},
		{"field missing from event", `{"detail":{"nope":["x"]}}`, "", false},
		{"nested object missing from event", `{"detail":{"missing":{"a":["x"]}}}`, "", false},
		{"pattern array matches any element of event array", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, "", true},
		{"event array with no matching element", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, "", false},
		{"number array element", `{"detail":{"ports":[443]}}`, "", true},
		{"string does not match number", `{"detail":{"c-count":["5"]}}`, "", false},
		{"number equality is numeric", `{"detail":{"x-limit":[3.018e2]}}`, "", true},
		{"null value", `{"detail":{"responseElements":[null]}}`, "", true},
		{"null does not match absent field", `{"detail":{"absent":[null]}}`, "", false},
		{"empty string value", `{"detail":{"eventVersion":[""]}}`, "", true},
		{"boolean value", `{"detail":{"encrypted":[true]}}`, "", true},
		{"boolean mismatch", `{"detail":{"encrypted":[false]}}`, "", false},
		{"objects in arrays keep fields together", `{"detail":{"tags":{"key":["team"],"value":["blue"]}}}`, "", true},
		{"objects in arrays do not mix elements", `{"detail":{"tags":{"key":["team"],"value":["prod"]}}}`, "", false},

		// Prefix and suffix.
		{"prefix on time", `{"time":[{"prefix":"2017-12-22"}]}`, "", true},
		{"prefix mismatch", `{"region":[{"prefix":"us-east"}]}`, "", false},
		{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EVENTB"}}]}}`, "", true},
		{"prefix is case sensitive", `{"detail":{"service":[{"prefix":"eventb"}]}}`, "", false},
		{"suffix", `{"detail":{"FileName":[{"suffix":".PNG"}]}}`, "", true},
		{"suffix is case sensitive", `{"detail":{"FileName":[{"suffix":".png"}]}}`, "", false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, "", true},
		{"prefix does not apply to numbers", `{"detail":{"c-count":[{"prefix":"5"}]}}`, "", false},

		// Anything-but.
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, "", true},
		{"anything-but string excluded", `{"detail":{"state":[{"anything-but":"terminated"}]}}`, "", false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":123}]}}`, "", true},
		{"anything-but number excluded", `{"detail":{"c-count":[{"anything-but":5}]}}`, "", false},
		{"anything-but string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, "", true},
		{"anything-but string list excluded", `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, "", false},
		{"anything-but number list excluded", `{"detail":{"d-count":[{"anything-but":[100,200,7]}]}}`, "", false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, "", true},
		{"anything-but prefix excluded", `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, "", false},
		{"anything-but suffix excluded", `{"detail":{"FileName":[{"anything-but":{"suffix":".PNG"}}]}}`, "", false},
		{"anything-but ignore case excluded", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"TERMINATED"}}]}}`, "", false},
		{"anything-but ignore case list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","Overloaded"]}}]}}`, "", true},
		{"anything-but wildcard excluded", `{"detail":{"filePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, "", false},
		{"anything-but wildcard", `{"detail":{"filePath":[{"anything-but":{"wildcard":"*/bin/*"}}]}}`, "", true},
		{"anything-but needs the field", `{"detail":{"absent":[{"anything-but":"x"}]}}`, "", false},
		{"anything-but on array matches when one element differs", `{"detail":{"ports":[{"anything-but":22}]}}`, "", true},

		// Numeric.
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, "", true},
		{"numeric upper bound exclusive", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, "", false},
		{"numeric lower bound inclusive", `{"detail":{"c-count":[{"numeric":[">=",5]}]}}`, "", true},
		{"numeric does not match strings", `{"detail":{"state":[{"numeric":[">",0]}]}}`, "", false},

		// IP address.
		{"cidr IPv4", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, "", true},
		{"cidr IPv4 outside", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, "", false},
		{"cidr IPv6", `{"detail":{"source-ipv6":[{"cidr":"2001:db8::/64"}]}}`, "", true},

		// Exists.
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, "", true},
		{"exists true on absent field", `{"detail":{"absent":[{"exists":true}]}}`, "", false},
		{"exists false on absent field", `{"detail":{"c-count2":[{"exists":false}]}}`, "", true},
		{"exists false on present field", `{"detail":{"c-count":[{"exists":false}]}}`, "", false},
		{"exists works on leaves only", `{"detail":[{"exists":true}]}`, "", false},
		{"exists false when parent is absent", `{"nothing":{"here":[{"exists":false}]}}`, "", true},
		{"exists true on null", `{"detail":{"responseElements":[{"exists":true}]}}`, "", true},

		// Equals-ignore-case.
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, "", true},
		{"equals-ignore-case mismatch", `{"detail-type":[{"equals-ignore-case":"ec2 instance"}]}`, "", false},

		// Wildcard.
		{"wildcard", `{"resources":[{"wildcard":"arn:aws:ec2:us-west-1:*:instance/*"}]}`, "", true},
		{"wildcard mismatch", `{"resources":[{"wildcard":"arn:aws:ec2:us-east-1:*:instance/*"}]}`, "", false},
		{"wildcard without star is exact", `{"source":[{"wildcard":"aws.ec2"}]}`, "", true},
		{"wildcard escaped star is literal", `{"source":[{"wildcard":"aws\\*"}]}`, `{"source":"aws*"}`, true},
		{"wildcard escaped star does not glob", `{"source":[{"wildcard":"aws\\*"}]}`, `{"source":"aws.ec2"}`, false},
		{"wildcard parts do not overlap", `{"source":[{"wildcard":"ab*ba"}]}`, `{"source":"aba"}`, false},

		// $or.
		{"$or one branch matches", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",10]}]}]}}`, "", true},
		{"$or no branch matches", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":[">",10]}]}]}}`, "", false},
		{"$or at top level with other fields", `{"source":["aws.ec2"],"$or":[{"region":["us-east-1"]},{"detail":{"state":["terminated"]}}]}`, "", true},
		{"$or combined with failing field", `{"source":["aws.s3"],"$or":[{"region":["us-west-1"]},{"detail":{"state":["terminated"]}}]}`, "", false},

		// orgnotify's own rules.
		{"organizations CreateAccountResult", `{"source":["aws.organizations"],"detail-type":["AWS Service Event via CloudTrail"],"detail":{"eventName":["CreateAccountResult"]}}`,
			`{"source":"aws.organizations","detail-type":"AWS Service Event via CloudTrail","detail":{"eventName":"CreateAccountResult","serviceEventDetails":{"createAccountStatus":{"accountId":"444455556666","state":"SUCCEEDED"}}}}`, true},
		{"cloudformation failure statuses", `{"source":["aws.cloudformation"],"detail":{"status-details":{"status":["ROLLBACK_COMPLETE","UPDATE_FAILED"]}}}`,
			`{"source":"aws.cloudformation","detail":{"status-details":{"status":"UPDATE_FAILED"}}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			event := tt.event
			if event == "" {
				event = ec2Event
			}
			got, err := p.Match([]byte(event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCompileInvalid(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
	}{
		{"not JSON", `{"source":`},
		{"trailing data", `{"source":["a"]} x`},
		{"array at top level", `["aws.ec2"]`},
		{"string at top level", `"aws.ec2"`},
		{"empty pattern", `{}`},
		{"leaf not an array", `{"source":"aws.ec2"}`},
		{"leaf is a number", `{"source":5}`},
		{"empty array", `{"source":[]}`},
		{"empty nested object", `{"detail":{}}`},
		{"array inside leaf array", `{"source":[["aws.ec2"]]}`},
		{"unknown operator", `{"source":[{"contains":"ec2"}]}`},
		{"operator with two keys", `{"source":[{"prefix":"a","suffix":"b"}]}`},
		{"prefix not a string", `{"source":[{"prefix":5}]}`},
		{"prefix bad ignore-case object", `{"source":[{"prefix":{"equals-ignore-case":5}}]}`},
		{"suffix unknown object", `{"source":[{"suffix":{"wildcard":"x"}}]}`},
		{"equals-ignore-case not a string", `{"source":[{"equals-ignore-case":["a"]}]}`},
		{"exists not a boolean", `{"source":[{"exists":"true"}]}`},
		{"numeric not an array", `{"n":[{"numeric":5}]}`},
		{"numeric odd length", `{"n":[{"numeric":[">",0,"<"]}]}`},
		{"numeric unknown operator", `{"n":[{"numeric":["!=",0]}]}`},
		{"numeric value is a string", `{"n":[{"numeric":[">","0"]}]}`},
		{"numeric out of range", `{"n":[{"numeric":[">",6e9]}]}`},
		{"numeric two lower bounds", `{"n":[{"numeric":[">",0,">",5]}]}`},
		{"numeric upper bound first", `{"n":[{"numeric":["<",10,">",0]}]}`},
		{"numeric bottom above top", `{"n":[{"numeric":[">",10,"<",5]}]}`},
		{"numeric equals combined", `{"n":[{"numeric":["=",1,"<",5]}]}`},
		{"cidr invalid", `{"ip":[{"cidr":"10.0.0.0/33"}]}`},
		{"cidr not a string", `{"ip":[{"cidr":10}]}`},
		{"anything-but empty list", `{"s":[{"anything-but":[]}]}`},
		{"anything-but mixed list", `{"s":[{"anything-but":["a",1]}]}`},
		{"anything-but boolean", `{"s":[{"anything-but":true}]}`},
		{"anything-but null", `{"s":[{"anything-but":null}]}`},
		{"anything-but unknown object", `{"s":[{"anything-but":{"numeric":[">",1]}}]}`},
		{"anything-but empty prefix", `{"s":[{"anything-but":{"prefix":""}}]}`},
		{"anything-but prefix number", `{"s":[{"anything-but":{"prefix":1}}]}`},
		{"wildcard consecutive stars", `{"s":[{"wildcard":"a**b"}]}`},
		{"wildcard bad escape", `{"s":[{"wildcard":"a\\b"}]}`},
		{"wildcard trailing backslash", `{"s":[{"wildcard":"a\\"}]}`},
		{"wildcard not a string", `{"s":[{"wildcard":1}]}`},
		{"$or with one branch", `{"$or":[{"a":["x"]}]}`},
		{"$or branch invalid", `{"$or":[{"a":["x"]},{"b":"y"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern)
			if err == nil {
				t.Fatalf("Compile(%s) = %v, want an error", tt.pattern, p)
			}
			if !errors.Is(err, ErrInvalidPattern) {
				t.Errorf("error %v does not wrap ErrInvalidPattern", err)
			}
		})
	}
}

func TestMatchInvalidEvent(t *testing.T) {
	p, err := Compile(`{"source":["a"]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{``, `[]`, `"x"`, `{"source":`, `{} {}`} {
		if _, err := p.Match([]byte(event)); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("Match(%q) error = %v, want ErrInvalidEvent", event, err)
		}
	}
}

// fuzzSeeds are valid and invalid patterns; the seed corpus runs with every
// go test, so a panic on any of them fails the normal test run.
var fuzzSeeds = []string{
	`{"source":["aws.ec2"]}`,
	`{"detail":{"$or":[{"a":[1]},{"b":[{"numeric":[">",0,"<=",5]}]}]}}`,
	`{"s":[{"anything-but":{"wildcard":["*/lib/*","a\\*"]}}]}`,
	`{"s":[{"wildcard":"*"}],"t":[{"cidr":"::/0"}],"u":[{"exists":false}]}`,
	`{"$or":["x"]}`,
	`{"$or":[{"prefix":"a"}]}`,
	`{"a":{"b":{"c":{"d":[null,true,false,0,"",{"suffix":""}]}}}}`,
	`{"n":[{"numeric":["=",-5e9]}]}`,
	`{"n":[1e400]}`,
	`[`, `{`, `{"":[""]}`, `null`, ``,
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := Compile(pattern)
		if err != nil {
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("error %v does not wrap ErrInvalidPattern", err)
			}
			return
		}
		// A compiled pattern must evaluate any event without panicking,
		// including the pattern itself read as an event.
		if _, err := p.Match([]byte(ec2Event)); err != nil {
			t.Fatalf("Match(ec2Event): %v", err)
		}
		_, _ = p.Match([]byte(pattern))
	})
}

func BenchmarkMatch(b *testing.B) {
	p, err := Compile(`{"source":["aws.ec2","aws.organizations"],"detail-type":[{"prefix":"EC2 Instance"}],"detail":{"state":[{"anything-but":["pending","running"]}],"c-count":[{"numeric":[">",0,"<=",5]}],"tags":{"key":["team"]}}}`)
	if err != nil {
		b.Fatal(err)
	}
	event := []byte(ec2Event)
	b.ReportAllocs()
	for b.Loop() {
		ok, err := p.Match(event)
		if err != nil || !ok {
			b.Fatalf("Match = %v, %v", ok, err)
		}
	}
}
