import { Navigate } from 'react-router-dom';

/** `/` leads to the catalog, as the portal's links and bookmarks expect. */
export const HomeRedirect = () => <Navigate to="/catalog" replace />;
