"""Partner agencies (NHS 24, social work, Distress Brief Intervention…) and referrals."""
