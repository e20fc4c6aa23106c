"""Who the customer is: one-time codes by SMS, linked channel identities, profiles."""
