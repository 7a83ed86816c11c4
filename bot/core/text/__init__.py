"""Language analysis of questions and passages: cleaning, chatter, lemmas, compounds,
typos, word frequency and the language of a question."""
