package awsarn

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want ARN
		ok   bool
	}{
		{"arn:aws:sqs:eu-west-1:111111111111:queue", ARN{"aws", "sqs", "eu-west-1", "111111111111", "queue"}, true},
		{"arn:aws:iam::111111111111:role/path/name", ARN{"aws", "iam", "", "111111111111", "role/path/name"}, true},
		{"arn:aws:events:us-east-1:111111111111:rule/bus/a:b", ARN{"aws", "events", "us-east-1", "111111111111", "rule/bus/a:b"}, true},
		{"arn:aws:sqs:eu-west-1:111111111111", ARN{}, false},
		{"urn:aws:sqs:eu-west-1:111111111111:q", ARN{}, false},
		{"", ARN{}, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
	if got := New("kms", "eu-west-1", "111111111111", "key/k"); got != "arn:aws:kms:eu-west-1:111111111111:key/k" {
		t.Errorf("New = %q", got)
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"111111111111": true, "11111111111": false, "11111111111a": false, "": false} {
		if IsAccountID(s) != want {
			t.Errorf("IsAccountID(%q) = %v", s, !want)
		}
	}
}
