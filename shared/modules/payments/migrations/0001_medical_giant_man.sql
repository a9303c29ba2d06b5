ALTER TABLE `payments_payments` ADD `expires_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `payments_payments_status_expiry` ON `payments_payments` (`status`,`expires_at`);