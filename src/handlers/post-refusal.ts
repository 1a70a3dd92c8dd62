/** What to tell a person when Slack refused a card in their channel (`chat.postMessage`'s error). */
export function cannotPostText(slackError: string, what: string): string {
  switch (slackError) {
    case "not_in_channel":
      return "I can't post in this channel because I'm not a member. Invite me with `/invite @codethread` and try again.";
    case "channel_not_found":
      return "I can't see this channel (private channels need an invite). Invite me with `/invite @codethread` and try again.";
    case "is_archived":
      return `This channel is archived, so I can't post ${what} here.`;
    default:
      return `I couldn't post in this channel (${slackError}).`;
  }
}
