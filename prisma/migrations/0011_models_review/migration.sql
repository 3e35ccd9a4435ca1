-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "autoActivateModels" BOOLEAN NOT NULL DEFAULT false;

