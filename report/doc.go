// Package report builds the apklens Report from an opened app (the scan
// pipeline), renders it (text, JSON, JSONL, Markdown, CSV) and diffs reports.
package report
