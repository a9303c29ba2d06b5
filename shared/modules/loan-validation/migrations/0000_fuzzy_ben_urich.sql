CREATE TABLE `loans_loans` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`amount` real NOT NULL,
	`term_months` integer NOT NULL,
	`monthly_income` real NOT NULL,
	`purpose` text NOT NULL,
	`decision` text NOT NULL,
	`rate` real,
	`monthly_payment` real,
	`trail` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `loans_loans_user` ON `loans_loans` (`user_id`);