"""Creators: profiles, referrals, sign-up and sign-in, payout methods, names and avatars."""
