"""The consultation meeting in the chat: booked speeches, remote remarks, the steps."""
