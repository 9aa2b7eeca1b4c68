package github

import "testing"

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct{ api, want string }{
		{"https://api.github.com", "https://api.github.com/"},
		{"", "https://api.github.com/"},
		{"https://ghes.example.com/api/v3", "https://ghes.example.com/api/v3/"},
		{"https://api.acme.ghe.com", "https://api.acme.ghe.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			c, err := NewClient(tt.api, testToken)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL.String(); got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}
