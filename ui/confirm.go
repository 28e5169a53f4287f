package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// confirmation is a question that actions which cannot be taken back ask first (removing the
// bot, hanging up, restarting): a single key, y does it, anything else declines.
type confirmation struct {
	question string
	do       tea.Cmd
}

// ask runs do at once with --no-confirm, or asks question first.
func (m Model) ask(question string, do tea.Cmd) (tea.Model, tea.Cmd) {
	if m.o.NoConfirm {
		return m, do
	}
	m.confirm = &confirmation{question: question, do: do}
	return m, nil
}

func (m Model) confirmKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	c := m.confirm
	m.confirm = nil
	if key.Matches(msg, m.keys.ConfirmYes) {
		return m, c.do
	}
	return m, m.setStatus(statusInfo, "not done: %s", c.question)
}
