// Text a person typed, before the bot posts it: Slack reads `<!channel>`, `<!here>`,
// `<@U…>`, `<#C…>` and `<https://evil|harmless>` as mentions and links, so `&`, `<` and `>`
// are escaped (Slack's own rule) and nobody can make the bot ping a channel or disguise a
// link. Plain "@channel" is not a mention in API posts without link_names, which burnwatch never sets.
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
