CREATE TABLE `payments_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`reference` text NOT NULL,
	`order_id` text,
	`user_id` text NOT NULL,
	`email` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`card_last4` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_payments_reference_unique` ON `payments_payments` (`reference`);--> statement-breakpoint
CREATE INDEX `payments_payments_user` ON `payments_payments` (`user_id`);