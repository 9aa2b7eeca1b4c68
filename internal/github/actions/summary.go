package actions

import (
	"fmt"
	"os"
	"strings"
)

// AppendStepSummary appends markdown to the job summary file at path (the
// value of GITHUB_STEP_SUMMARY), creating it if needed. Appending keeps what
// earlier steps of the job wrote.
func AppendStepSummary(path, markdown string) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open job summary: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close job summary: %w", cerr)
		}
	}()
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	if _, err := f.WriteString(markdown); err != nil {
		return fmt.Errorf("append job summary: %w", err)
	}
	return nil
}
