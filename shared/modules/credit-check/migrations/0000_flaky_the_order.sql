CREATE TABLE `credit_profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`score` integer NOT NULL,
	`existing_debt_monthly` integer NOT NULL,
	`missed_payments` integer NOT NULL,
	`history_years` integer NOT NULL,
	`updated_at` text NOT NULL
);
