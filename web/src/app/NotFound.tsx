import { Link } from "react-router";

export function NotFound() {
  return (
    <div className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-lg font-semibold">Nothing here</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">This page does not exist, or is not yours.</p>
      <Link to="/" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        Back to chat
      </Link>
    </div>
  );
}
